package dev.duplex.io;

/** Something the {@link Watchdog} looks at when a deadline of its passes. */
abstract class Timed {

    /**
     * What the watchdog's queue holds: a small ticket rather than this object, so that a finished connection's
     * memory is not kept until its next look is due (up to the send timeout away).
     */
    static final class Ticket {
        volatile Timed timed;

        Ticket(Timed timed) {
            this.timed = timed;
        }
    }

    final Ticket ticket = new Ticket(this);

    /** The watchdog's next look; guarded by the watchdog's lock. */
    long watchdogAt;

    /**
     * Does what is due at {@code now} ({@link System#nanoTime()}) and says when to look again: 0 for never. Must not
     * block: anything that might runs on a thread of its own.
     */
    abstract long onTimer(long now);

    /** No more looks: the watchdog lets go of this object now. */
    void cancelTimer() {
        ticket.timed = null;
    }
}
