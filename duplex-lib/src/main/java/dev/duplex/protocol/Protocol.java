package dev.duplex.protocol;

import dev.duplex.CloseStatus;
import dev.duplex.Message;

import java.nio.ByteBuffer;

/**
 * One side of an open connection after the opening handshake, without I/O: bytes in, events and bytes out.
 *
 * <p>This is the seam every framing implements; the I/O layer knows only this interface. It is not thread-safe:
 * the caller serializes every call. Nothing here blocks, reads a clock or touches a socket.
 *
 * <p>The I/O layer's loop: hand what the socket read to {@link #receive}, then drain {@link #nextOutput()} to the
 * socket and {@link #nextEvent()} to the application. A Close frame that answers the peer (its Close, or a
 * violation) is held as pending until the I/O layer calls {@link #sendPendingClose()}, so that messages received
 * before it can be delivered, and answered, first: RFC 6455 §5.5.1 lets an endpoint delay its Close "until its
 * current message is sent".
 */
public interface Protocol {

    /** Where a connection is in its life. */
    enum State {
        /** Data can be sent: no Close frame has been sent yet. */
        OPEN,
        /** This side sent a Close frame and waits for the peer's Close, or for the end of the TCP stream. */
        CLOSING,
        /** The closing handshake is over, or the connection failed: nothing more is sent. */
        CLOSED
    }

    /**
     * An output buffer that is not bytes: the I/O layer should now half-close the TCP connection (shutdownOutput),
     * then read until the peer's end of stream or the close timeout, and close the socket.
     */
    ByteBuffer END_OF_STREAM = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /**
     * Parses bytes read from the socket, consuming all of them. Never throws on bad input: a violation becomes a
     * {@link Event.Failed} event and later input is discarded.
     */
    void receive(ByteBuffer data);

    /** The peer's TCP stream ended. */
    void receiveEof();

    /** The next event, or null when there is none. */
    Event nextEvent();

    /** The next buffer to write, {@link #END_OF_STREAM}, or null when there is nothing to write. */
    ByteBuffer nextOutput();

    /** Whether {@link #nextOutput()} would return a buffer. */
    boolean hasOutput();

    /**
     * Queues a whole message.
     *
     * @throws IllegalStateException the state is not {@link State#OPEN}
     * @throws IllegalArgumentException this framing cannot carry the message
     */
    void send(Message message);

    /**
     * Queues a Ping.
     *
     * @throws IllegalStateException the state is not {@link State#OPEN}
     * @throws IllegalArgumentException the payload is longer than 125 bytes, or this framing has no ping
     */
    void ping(ByteBuffer payload);

    /**
     * Starts the closing handshake with this status; sends the pending Close instead if there is one. Does nothing
     * once a Close has been sent.
     */
    void close(CloseStatus status);

    /** Sends the pending Close frame, if there is one (see {@link Event.CloseReceived}). */
    void sendPendingClose();

    /** Whether a Close frame is pending. */
    boolean hasPendingClose();

    /** The current state. */
    State state();

    /**
     * The connection is over (its socket is closed): frees what it holds outside the heap, such as zlib streams.
     * The state is {@link State#CLOSED} afterwards.
     */
    void release();
}
