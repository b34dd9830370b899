package dev.duplex;

import dev.duplex.io.Dialer;
import dev.duplex.io.Selection;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * An open WebSocket connection, on either side: Racket's {@code ws-conn}.
 *
 * <h2>Threads</h2>
 * Every connection has one reader virtual thread ({@code duplex-read-<id>}) that reads the socket, answers pings
 * and Close frames, and queues whole messages in a bounded inbox. {@link #send} may be called from many threads at
 * once: each message is written whole, in the order the calls took the connection's write lock, on the calling
 * thread, which blocks until the bytes are handed to the socket. One exception makes bursts cheap: while received
 * messages are still waiting in the inbox, a small message sent is held back (16 KiB at most) to go out in one
 * write with the answers to those messages; it leaves when the application next waits in {@link #receive}, with
 * the next write, or within 2 ms, whichever comes first. {@link #receive} has a single consumer: two
 * threads receiving at once is a bug and the second gets {@link IllegalStateException}.
 *
 * <h2>Ending</h2>
 * {@link #receive} returns {@code null} at a clean end of stream: the peer closed with 1000, 1001 or no status, or
 * this side started the closing handshake. After a failure (a protocol violation by either side, a close code
 * signalling an error, a timeout, or a TCP connection that ended without a closing handshake) it throws
 * {@link WebSocketException} carrying the {@link CloseStatus}. Messages that arrived before the end are always
 * delivered first, and the answering Close frame is sent once the application has taken them and come back to
 * {@code receive()} (or never took any), so an echo handler gets to echo every message the peer sent before closing;
 * a handler that stops receiving delays that Close by at most {@link Limits#closeTimeout()}.
 *
 * <h2>Timeouts</h2>
 * The opening handshake is bounded by {@link Limits#handshakeTimeout()}, the closing handshake by
 * {@link Limits#closeTimeout()}, and each write to a peer that reads nothing by {@link Limits#sendTimeout()} (the
 * connection is then dropped). A connection with nothing received or sent for the idle timeout, or older than the
 * server's maximum lifetime, is closed with 1001. One watchdog thread enforces these deadlines, so they hold even
 * while the application or the reader thread is blocked.
 */
public interface WebSocket extends AutoCloseable {

    /**
     * Opens a client connection: TCP (or TLS for {@code wss:}), then the opening handshake; Racket's
     * {@code ws-connect}. Blocks until the connection is open.
     *
     * @param uri     a {@code ws:} or {@code wss:} URI; its path and query are sent as given
     * @param headers extra request header fields, such as {@code Origin} or {@code Authorization}
     * @throws HandshakeException       the server refused the handshake or answered with something else
     * @throws IOException              the connection could not be made
     * @throws IllegalArgumentException the URI is not a WebSocket URI, or a header is one the handshake owns
     */
    static WebSocket connect(URI uri, Headers headers, ClientOptions options) throws IOException {
        return Dialer.connect(uri, headers, options);
    }

    /** Opens a client connection with no extra headers and the default options. */
    static WebSocket connect(URI uri) throws IOException {
        return Dialer.connect(uri, Headers.EMPTY, ClientOptions.DEFAULT);
    }

    /**
     * Waits until one of {@code sockets} has a whole message ready or has reached its end, and returns it without
     * consuming anything: Racket's {@code sync} on connections. A following {@link #receive} on the returned
     * connection does not block. Returns empty when the timeout passes first.
     *
     * @throws IllegalArgumentException a socket was not made by Duplex
     */
    static Optional<WebSocket> select(Collection<? extends WebSocket> sockets, Duration timeout)
            throws InterruptedException {
        return Selection.select(sockets, timeout);
    }

    /** The start-line of the peer's handshake: the request-line on a server, the status-line on a client. */
    String startLine();

    /** The peer's handshake header fields: the request's on a server, the response's on a client. */
    Headers headers();

    /** The address of the peer. */
    SocketAddress remoteAddress();

    /** The subprotocol the server selected ({@code Sec-WebSocket-Protocol}), if any. */
    Optional<String> subprotocol();

    /**
     * Whether the connection is closing or closed: a Close frame was sent or received, or the connection failed.
     * Messages that arrived before the end can still be received.
     */
    boolean isClosed();

    /**
     * The status the connection ended with: the code of the peer's Close frame, or the failure's status. Empty
     * while the connection is open.
     */
    Optional<CloseStatus> closeStatus();

    /**
     * Sends a whole message, blocking until it is written to the socket.
     *
     * @throws WebSocketException this side has sent its Close, the connection failed, or the write failed or timed
     *                            out; after a Close from the peer, sending works until the answering Close goes out
     * @throws IllegalArgumentException the connection's framing cannot carry the message (binary in a legacy framing)
     */
    void send(Message message) throws IOException;

    /** Sends a text message; see {@link #send(Message)}. */
    default void send(String text) throws IOException {
        send(Message.text(text));
    }

    /** Sends a binary message holding {@code data}'s remaining bytes; see {@link #send(Message)}. */
    default void send(ByteBuffer data) throws IOException {
        send(Message.binary(data));
    }

    /**
     * Sends a Ping with this payload (at most 125 bytes). The peer's Pong is answered by the protocol and not
     * delivered as a message.
     */
    void ping(ByteBuffer payload) throws IOException;

    /**
     * Returns the next message, blocking until one arrives, or {@code null} at a clean end of stream.
     *
     * @throws WebSocketException           the connection failed; its status says how
     * @throws java.io.InterruptedIOException the thread was interrupted while waiting
     */
    Message receive() throws IOException;

    /** Closes with 1000 (Normal Closure); see {@link #close(CloseStatus)}. */
    @Override
    default void close() throws IOException {
        close(CloseStatus.NORMAL_CLOSURE);
    }

    /**
     * Starts the closing handshake with this status and waits, up to {@link Limits#closeTimeout()}, for it to
     * finish and the TCP connection to close; Racket's {@code ws-close!}. Calling it again, or after the peer has
     * closed, does no harm. Messages still in flight from the peer are received until its Close frame arrives.
     *
     * @throws IllegalArgumentException the status may not be sent on the wire (1005, 1006, 1015 and unassigned
     *                                  codes; see {@link CloseStatus#isSendable(int)})
     */
    void close(CloseStatus status) throws IOException;
}
