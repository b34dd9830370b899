package dev.duplex.io;

import dev.duplex.WebSocket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/** {@link WebSocket#select}: readiness of several connections at once, Racket's {@code sync} on connections. */
public final class Selection {

    private Selection() {
    }

    public static Optional<WebSocket> select(Collection<? extends WebSocket> sockets, Duration timeout)
            throws InterruptedException {
        List<Connection> connections = new ArrayList<>(sockets.size());
        for (WebSocket s : sockets) {
            if (!(s instanceof Connection c)) {
                throw new IllegalArgumentException("select() takes connections made by Duplex, not " + s);
            }
            connections.add(c);
        }
        Thread self = Thread.currentThread();
        for (Connection c : connections) {
            c.inbox().addSelector(self);
        }
        try {
            long deadline = System.nanoTime() + Inbox.nanos(timeout);
            int n = connections.size();
            // Start at a random connection, as Racket's sync picks among ready events, so none is starved.
            int start = n == 0 ? 0 : ThreadLocalRandom.current().nextInt(n);
            while (true) {
                for (int i = 0; i < n; i++) {
                    Connection c = connections.get((start + i) % n);
                    if (c.inbox().isReady()) {
                        return Optional.of(c);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                // An inbox that becomes ready unparks us; a permit given before this park makes it return at once.
                LockSupport.parkNanos(left);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        } finally {
            for (Connection c : connections) {
                c.inbox().removeSelector(self);
            }
        }
    }
}
