package dev.duplex;

/**
 * The server's opening-handshake hook (Racket's {@code #:conn-headers}): it sees the validated request and decides
 * whether to accept it, with which extra response headers and which state for the {@link Handler}.
 *
 * <p>It runs on the connection's own virtual thread, under the handshake timeout, before any response is written.
 * Requests that are not valid WebSocket handshakes never reach it: they are answered with 400, 405 or 426. If it
 * throws, the client gets 500.
 *
 * @param <S> the type of the state handed to the handler
 */
@FunctionalInterface
public interface Upgrader<S> {

    /** Decides the answer to one handshake request. */
    Upgrade<S> upgrade(HandshakeRequest request) throws Exception;

    /** Accepts every valid handshake with no extra headers and a null state. */
    static <S> Upgrader<S> acceptAll() {
        return request -> Upgrade.accept();
    }
}
