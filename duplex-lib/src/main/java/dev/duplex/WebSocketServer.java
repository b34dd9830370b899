package dev.duplex;

import dev.duplex.io.Acceptor;

import java.io.IOException;

/**
 * A running WebSocket server: Racket's {@code ws-serve}.
 *
 * <p>{@link #start} binds, starts accepting on a virtual thread and returns once the server is listening, or throws
 * the bind error: Racket's confirmation channel as a return value. Each accepted connection gets its own virtual
 * thread, which runs the opening handshake (under {@link Limits#handshakeTimeout()}), the {@link Upgrader}, and
 * then the {@link Handler}.
 *
 * <p>{@link #close()} is the shutdown procedure: it stops accepting, closes every open connection with 1001 (Going
 * Away), and returns when they are gone.
 */
public interface WebSocketServer extends AutoCloseable {

    /**
     * Starts a server.
     *
     * @throws IOException the listening socket could not be bound
     */
    static <S> WebSocketServer start(ServerOptions options, Upgrader<S> upgrader, Handler<S> handler)
            throws IOException {
        return Acceptor.start(options, upgrader, handler);
    }

    /** Starts a server that accepts every valid handshake. */
    static WebSocketServer start(ServerOptions options, Handler<Void> handler) throws IOException {
        return Acceptor.start(options, Upgrader.acceptAll(), handler);
    }

    /** The port the server listens on: the one the system picked when port 0 was asked. */
    int port();

    /** The number of connections that are open now. */
    int connectionCount();

    /** Stops accepting, closes every open connection with 1001 (Going Away) and waits for them to end. */
    @Override
    void close();
}
