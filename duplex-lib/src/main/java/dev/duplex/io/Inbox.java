package dev.duplex.io;

import dev.duplex.CloseStatus;
import dev.duplex.Message;
import dev.duplex.WebSocketException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The messages a connection has received and the application has not taken yet, then the end of the stream.
 *
 * <p>Bounded: when it is full the reader thread blocks in {@link #put}, stops reading the socket, and TCP pushes
 * back on the peer. It also tracks whether the application has finished with the last message it took (it has
 * called {@code receive()} again), which is when a Close frame that answers the peer may go out: see
 * {@link #awaitDrained}.
 */
final class Inbox {

    /** How the stream ended: {@code failure} is null for a clean end. */
    record End(CloseStatus status, WebSocketException failure) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Message> messages = new ArrayDeque<>();
    private final int capacity;
    private final List<Thread> selectors = new ArrayList<>(0);
    private End end;
    private boolean closedLocally;
    private Thread consumer;
    private boolean consumerBusy;

    Inbox(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Queues a message, blocking while the inbox is full. After a local close it no longer blocks: a message that
     * does not fit is dropped, since the application has said it is done.
     */
    void put(Message message) throws InterruptedException {
        putAll(List.of(message));
    }

    /**
     * Queues messages that arrived together, all at once where they fit, so that the application sees them as one
     * burst (and can answer them with one write); blocks while the inbox is full, as {@link #put} does.
     */
    void putAll(List<Message> batch) throws InterruptedException {
        lock.lock();
        try {
            for (Message message : batch) {
                if (messages.size() >= capacity && !closedLocally) {
                    signal();
                    while (messages.size() >= capacity && !closedLocally) {
                        changed.await();
                    }
                }
                if (messages.size() < capacity) {
                    messages.add(message);
                }
            }
            signal();
        } finally {
            lock.unlock();
        }
    }

    /** Records the end of the stream; only the first end counts. */
    void end(End end) {
        lock.lock();
        try {
            if (this.end == null) {
                this.end = end;
                signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The end of the stream, or null while it has not ended. */
    End end() {
        lock.lock();
        try {
            return end;
        } finally {
            lock.unlock();
        }
    }

    /** The application closed the connection: never block the reader again. */
    void closeLocally() {
        lock.lock();
        try {
            closedLocally = true;
            signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the application has taken every queued message and come back for the next one (or never took
     * one, or closed the connection), at most {@code nanos}.
     */
    void awaitDrained(long nanos) throws InterruptedException {
        lock.lock();
        try {
            while ((!messages.isEmpty() || consumerBusy) && !closedLocally && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next message, blocking until there is one when {@code wait}; returns null once the stream has ended
     * and every message has been taken (or, without {@code wait}, when there is none yet).
     *
     * @throws IllegalStateException another thread is already taking
     */
    Message take(boolean wait) throws InterruptedException {
        lock.lock();
        try {
            if (consumer != null) {
                throw new IllegalStateException("another thread is already receiving on this connection; "
                        + "receive() has a single consumer");
            }
            consumer = Thread.currentThread();
            consumerBusy = false;
            changed.signalAll();
            try {
                while (wait && messages.isEmpty() && end == null) {
                    changed.await();
                }
                Message message = messages.poll();
                if (message != null) {
                    consumerBusy = true;
                    changed.signalAll();
                }
                return message;
            } finally {
                consumer = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether messages are queued that the application has not taken yet. */
    boolean hasWaiting() {
        lock.lock();
        try {
            return !messages.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #take} would return without blocking. */
    boolean isReady() {
        lock.lock();
        try {
            return !messages.isEmpty() || end != null;
        } finally {
            lock.unlock();
        }
    }

    void addSelector(Thread thread) {
        lock.lock();
        try {
            selectors.add(thread);
        } finally {
            lock.unlock();
        }
    }

    void removeSelector(Thread thread) {
        lock.lock();
        try {
            selectors.remove(thread);
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        changed.signalAll();
        for (Thread t : selectors) {
            LockSupport.unpark(t);
        }
    }

    static long nanos(java.time.Duration d) {
        return TimeUnit.NANOSECONDS.convert(d);
    }
}
