package dev.duplex.protocol;

import dev.duplex.CloseStatus;
import dev.duplex.Message;

import java.nio.ByteBuffer;

/**
 * What a {@link Protocol} reports after reading bytes, in the order it happened.
 *
 * <p>Each connection reports exactly one terminal event: {@link CloseReceived} or {@link Failed}. After it, the
 * protocol reads nothing more.
 */
public sealed interface Event {

    /** A whole message arrived (validated UTF-8 for text). */
    record Received(Message message) implements Event {
    }

    /** A Ping arrived; the protocol has already queued the Pong when the connection was open. */
    record Ping(ByteBuffer payload) implements Event {
    }

    /** A Pong arrived. */
    record Pong(ByteBuffer payload) implements Event {
    }

    /**
     * The peer's Close frame arrived. If this side had not sent a Close yet, the reply is pending: the I/O layer
     * sends it with {@link Protocol#sendPendingClose()} once the messages before it are delivered.
     */
    record CloseReceived(CloseStatus status) implements Event {
    }

    /**
     * The connection failed: the peer broke the protocol, exceeded a limit, or the TCP connection ended without a
     * closing handshake. When a Close frame should tell the peer, it is pending, as for {@link CloseReceived}.
     *
     * @param status the status sent to the peer (or 1006 when the connection simply ended)
     * @param reason what went wrong, in plain words
     */
    record Failed(CloseStatus status, String reason) implements Event {
    }
}
