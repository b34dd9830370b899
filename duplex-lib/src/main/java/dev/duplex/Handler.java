package dev.duplex;

/**
 * What a server does with one open connection (Racket's {@code conn-handle}).
 *
 * <p>Each connection's handler runs on its own virtual thread, so it may block freely. When it returns, the server
 * closes the connection with 1000 (Normal Closure); when it throws, with 1011 (Internal Error).
 *
 * @param <S> the type of the state the {@link Upgrader} produced
 */
@FunctionalInterface
public interface Handler<S> {

    /** Serves one connection. */
    void handle(WebSocket socket, S state) throws Exception;
}
