package dev.duplex.io;

import java.time.Duration;

/** One timeout spanning several blocking calls, read off {@link System#nanoTime()}. */
record Deadline(long at) {

    static Deadline after(Duration timeout) {
        return new Deadline(System.nanoTime() + Inbox.nanos(timeout));
    }

    /** The time left in milliseconds for {@code setSoTimeout}: at least 1 (0 would mean forever). */
    int remainingMillis() {
        long left = at - System.nanoTime();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000));
    }

    boolean isExpired() {
        return at - System.nanoTime() <= 0;
    }
}
