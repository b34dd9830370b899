package dev.duplex.io;

/** Something the {@link Watchdog} looks at when a deadline of its passes. */
abstract class Timed {

    /** The watchdog's next look; guarded by the watchdog's lock. */
    long watchdogAt;

    /**
     * Does what is due at {@code now} ({@link System#nanoTime()}) and says when to look again: 0 for never. Must not
     * block: anything that might runs on a thread of its own.
     */
    abstract long onTimer(long now);
}
