package dev.duplex.bench.clients;

import dev.duplex.bench.load.Payload;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** What every session of a client run adds to: messages sent and echoed, whether to go on sending, the first failure. */
public final class Tally {

    /** The client benchmark's messages: 32 bytes of text. */
    final Payload payload = new Payload(32, false);
    final LongAdder sent = new LongAdder();
    final LongAdder echoed = new LongAdder();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean sending = true;

    public long sent() {
        return sent.sum();
    }

    public long echoed() {
        return echoed.sum();
    }

    boolean isSending() {
        return sending;
    }

    /** From now on, an echo is not answered with a new message. */
    public void stopSending() {
        sending = false;
    }

    void fail(Throwable t) {
        failure.compareAndSet(null, t);
    }

    /** Throws the first failure any session saw. */
    public void check() {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException(t.getMessage(), t);
        }
    }
}
