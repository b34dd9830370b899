package dev.duplex.bench.clients;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection of the client benchmark, driven by some client library: it keeps its messages in flight, checks
 * each echo against the message sent (in order, byte for byte) and answers it with the next message while the run
 * is {@linkplain Tally#isSending() sending}.
 */
public abstract class EchoSession {

    protected final int id;
    protected final Tally tally;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final CountDownLatch closed = new CountDownLatch(1);
    private long nextSeq;
    private long expectedSeq;

    protected EchoSession(int id, Tally tally) {
        this.id = id;
        this.tally = tally;
    }

    /** Sends the next message. Messages go out in sequence order, whichever thread calls. */
    public final void sendNext() {
        sendLock.lock();
        try {
            String text = tally.payload.text(id, nextSeq++);
            tally.sent.increment();
            transmit(text);
        } catch (Exception e) {
            failed(e);
        } finally {
            sendLock.unlock();
        }
    }

    /** The library received a whole text message on this connection (always from one thread at a time). */
    protected final void received(CharSequence text) {
        if (!tally.payload.matches(text, id, expectedSeq)) {
            failed(new IllegalStateException("session " + id + ": echo " + expectedSeq + " differs from what was sent: "
                    + text));
            return;
        }
        expectedSeq++;
        tally.echoed.increment();
        if (tally.isSending()) {
            sendNext();
        }
    }

    /** Hands one message to the library; called in order, under the session's send lock. */
    protected abstract void transmit(String text) throws Exception;

    /** Starts the closing handshake (1000) without waiting for it. */
    public abstract void startClose();

    /** The library says the connection ended (closing handshake over, or a failure). */
    protected final void ended() {
        closed.countDown();
    }

    protected final void failed(Throwable t) {
        tally.fail(t);
        closed.countDown();
    }

    public final boolean awaitClosed(Duration timeout) throws InterruptedException {
        return closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
