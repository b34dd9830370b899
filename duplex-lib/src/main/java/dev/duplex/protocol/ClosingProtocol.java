package dev.duplex.protocol;

import dev.duplex.CloseStatus;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * What every framing shares: the event and output queues, and the closing handshake's state machine (who owes the
 * peer a Close, when input stops, who closes TCP). The framings differ only in how frames look, which the
 * subclasses decide; {@link #queueClose} writes a Close frame in theirs.
 */
public abstract class ClosingProtocol implements Protocol {

    protected final Role role;
    protected final ArrayDeque<Event> events = new ArrayDeque<>();
    protected final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();

    private State state = State.OPEN;
    /** Set once the terminal event is reported: the peer's Close, a failure or the end of the stream. */
    private boolean inputEnded;
    private boolean closeReceived;
    private CloseStatus pendingClose;

    protected ClosingProtocol(Role role) {
        this.role = Objects.requireNonNull(role, "role");
    }

    /** Queues a Close frame with this status, in the framing's own bytes. */
    protected abstract void queueClose(CloseStatus status);

    /** The failure to report when the TCP stream ends before a Close arrived. */
    protected abstract Event.Failed endOfStreamFailure();

    /** Whether input has ended: nothing more is parsed. */
    protected final boolean inputEnded() {
        return inputEnded;
    }

    /**
     * The peer's Close arrived. If this side had not sent one, the reply is held as pending (see {@link Protocol});
     * otherwise the closing handshake is over.
     */
    protected final void closeFrameReceived(CloseStatus status, CloseStatus reply) {
        inputEnded = true;
        closeReceived = true;
        if (state == State.OPEN) {
            pendingClose = reply;
        } else {
            closingHandshakeDone();
        }
        events.add(new Event.CloseReceived(status));
    }

    /** {@link #fail(CloseStatus, String)} with a status whose reason already says what went wrong. */
    protected final boolean fail(CloseStatus status) {
        return fail(status, status.reason());
    }

    /**
     * RFC 6455 §7.1.7 _Fail the WebSocket Connection_: stop reading, report, and hold the Close that tells the peer,
     * its reason cut to fit the frame.
     *
     * @return false, so that a check can read {@code return ok || fail(...)}
     */
    protected final boolean fail(CloseStatus status, String reason) {
        CloseStatus withReason = status.withReason(reason.length() <= CloseStatus.MAX_REASON_BYTES
                ? reason : reason.substring(0, CloseStatus.MAX_REASON_BYTES));
        inputEnded = true;
        if (state == State.OPEN) {
            pendingClose = withReason;
        } else {
            closingHandshakeDone();
        }
        events.add(new Event.Failed(withReason, reason));
        return false;
    }

    /** The stream ended where that is a clean end (a legacy peer between frames): reported like a Close. */
    protected final void cleanEndOfStream(CloseStatus status) {
        if (!inputEnded) {
            inputEnded = true;
            events.add(new Event.CloseReceived(status));
        }
        pendingClose = null;
        state = State.CLOSED;
    }

    @Override
    public void receiveEof() {
        if (!inputEnded) {
            inputEnded = true;
            events.add(endOfStreamFailure());
        }
        // Nothing can reach the peer any more; a pending Close is moot.
        pendingClose = null;
        state = State.CLOSED;
    }

    @Override
    public Event nextEvent() {
        return events.poll();
    }

    @Override
    public ByteBuffer nextOutput() {
        return output.poll();
    }

    @Override
    public boolean hasOutput() {
        return !output.isEmpty();
    }

    @Override
    public void close(CloseStatus status) {
        if (pendingClose != null) {
            sendPendingClose();
        } else if (state == State.OPEN) {
            queueClose(status);
            state = State.CLOSING;
        }
    }

    @Override
    public void sendPendingClose() {
        if (pendingClose == null) {
            return;
        }
        queueClose(pendingClose);
        pendingClose = null;
        if (closeReceived || role == Role.SERVER) {
            closingHandshakeDone();
        } else {
            // A client that failed the connection waits for the server to close TCP (RFC 6455 §7.1.7, §7.1.1).
            state = State.CLOSING;
        }
    }

    @Override
    public boolean hasPendingClose() {
        return pendingClose != null;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public void release() {
        pendingClose = null;
        state = State.CLOSED;
    }

    /** RFC 6455 §7.1.1: "the server SHOULD close the underlying TCP connection first"; the client waits for that. */
    private void closingHandshakeDone() {
        state = State.CLOSED;
        if (role == Role.SERVER) {
            output.add(END_OF_STREAM);
        }
    }

    protected final void requireOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("cannot send: the connection is " + state.name().toLowerCase());
        }
    }
}
