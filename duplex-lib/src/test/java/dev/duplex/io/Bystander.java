package dev.duplex.io;

import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A well-behaved client that keeps exchanging echoes with a server, about every 25 ms, on its own virtual thread:
 * the witness that an attack on the server leaves other connections served.
 */
final class Bystander implements AutoCloseable {

    private static final Duration PACE = Duration.ofMillis(25);
    private static final int MAX_ROUNDS = 1_000_000;

    private final WebSocket ws;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progressed = lock.newCondition();
    private long echoes;
    private Throwable failure;
    private volatile boolean stopped;

    private Bystander(WebSocket ws) {
        this.ws = ws;
        this.thread = Thread.ofVirtual().name("bystander").start(this::run);
    }

    static Bystander start(WebSocketServer server) throws IOException {
        return new Bystander(Loopback.connect(server));
    }

    private void run() {
        try {
            for (int i = 0; i < MAX_ROUNDS && !stopped; i++) {
                String text = "bystander " + i;
                ws.send(text);
                Message echo = Loopback.receive(ws);
                if (!Message.text(text).equals(echo)) {
                    throw new AssertionError("bystander sent \"" + text + "\" and got back " + echo);
                }
                lock.lock();
                try {
                    echoes++;
                    progressed.signalAll();
                } finally {
                    lock.unlock();
                }
                // Paces the loop; returns at once, and fails the next round, if the server ends the connection.
                WebSocket.select(List.of(ws), PACE);
            }
        } catch (Throwable e) {
            if (!stopped) {
                lock.lock();
                try {
                    failure = e;
                    progressed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** Waits until {@code more} further echoes have come back, failing if the bystander broke or stalled. */
    void awaitEchoes(int more, Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long target = echoes + more;
            long nanos = timeout.toNanos();
            while (echoes < target && failure == null && nanos > 0) {
                nanos = progressed.awaitNanos(nanos);
            }
            if (failure != null) {
                throw new AssertionError("the well-behaved client lost its connection: " + failure, failure);
            }
            if (echoes < target) {
                throw new AssertionError("the well-behaved client got no echo for " + timeout);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        stopped = true;
        try {
            thread.join(Loopback.WAIT.toMillis());
            ws.close();
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while stopping the bystander");
        }
    }
}
