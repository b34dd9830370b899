package dev.duplex.io;

import java.util.PriorityQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one timer of every connection's deadlines: idle timeout, maximum lifetime, close timeout, send timeout,
 * keepalive, and the opening handshake's timeout.
 *
 * <p>The deadlines cannot be left to a connection's reader thread: it may be blocked putting a message into a full
 * inbox, or writing a pong to a peer that reads nothing, exactly when a deadline passes. One virtual thread keeps a
 * queue ordered by the next time each connection needs a look; {@link Timed#onTimer} decides what is due and when
 * to look again, and does anything that might block on a thread of its own.
 */
final class Watchdog {

    private static final System.Logger LOG = System.getLogger("dev.duplex");
    private static final Watchdog INSTANCE = new Watchdog();

    private record Entry(long at, Timed.Ticket ticket) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // nanoTime values are compared by difference, which stays right across wrap-around.
    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> Long.signum(a.at - b.at));
    private Thread thread;

    private Watchdog() {
    }

    /**
     * Makes sure {@code timed} is looked at no later than {@code at} ({@link System#nanoTime()}). Each has at most
     * one pending look; an earlier one wins.
     */
    static void schedule(Timed timed, long at) {
        INSTANCE.add(timed, at);
    }

    private void add(Timed timed, long at) {
        lock.lock();
        try {
            if (timed.ticket.timed == null || (timed.watchdogAt != 0 && timed.watchdogAt - at <= 0)) {
                return;
            }
            timed.watchdogAt = at;
            Entry entry = new Entry(at, timed.ticket);
            queue.add(entry);
            if (thread == null) {
                thread = Thread.ofVirtual().name("duplex-watchdog").start(this::run);
            }
            if (queue.peek() == entry) {
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            Timed due = next();
            long again;
            try {
                again = due.onTimer(System.nanoTime());
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "connection timer failed", e);
                again = 0;
            }
            if (again != 0) {
                add(due, again);
            }
        }
    }

    /** Waits for the next entry that is due, not cancelled, and not superseded by an earlier one for the same. */
    private Timed next() {
        lock.lock();
        try {
            while (true) {
                Entry head = queue.peek();
                if (head == null) {
                    changed.awaitUninterruptibly();
                    continue;
                }
                long wait = head.at() - System.nanoTime();
                if (wait > 0) {
                    try {
                        changed.awaitNanos(wait);
                    } catch (InterruptedException e) {
                        // nobody interrupts the watchdog on purpose; keep watching
                    }
                    continue;
                }
                queue.poll();
                Timed timed = head.ticket().timed;
                if (timed != null && timed.watchdogAt == head.at()) {
                    timed.watchdogAt = 0;
                    return timed;
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
