package dev.duplex.io;

import dev.duplex.Handler;
import dev.duplex.ServerOptions;
import dev.duplex.Upgrader;
import dev.duplex.WebSocketServer;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.Loopback.awaitCondition;

/**
 * A server under attack and its witness: a {@link Bystander} that keeps exchanging echoes with it. An attack passes
 * when it gets its answer within its bound, the bystander is served while it runs and after, and the server's
 * connection count returns to what it was.
 */
final class Siege implements AutoCloseable {

    /** An attack that checks its own answer (and that the server then closed the attacker's socket). */
    @FunctionalInterface
    interface Attack {
        void run() throws Exception;
    }

    private final WebSocketServer server;
    private final Bystander bystander;
    private final Duration settle;

    private Siege(WebSocketServer server, Bystander bystander, Duration settle) {
        this.server = server;
        this.bystander = bystander;
        this.settle = settle;
    }

    /** An echo server with these options, and a bystander connected to it. */
    static Siege start(ServerOptions options) throws IOException {
        return start(options, Loopback.echo());
    }

    /** A server with this handler (which must echo, for the bystander), and a bystander connected to it. */
    static Siege start(ServerOptions options, Handler<Void> handler) throws IOException {
        return start(options, Upgrader.acceptAll(), handler);
    }

    /** A server with this upgrader (which must accept the bystander's plain request for "/") and handler. */
    static <S> Siege start(ServerOptions options, Upgrader<S> upgrader, Handler<S> handler) throws IOException {
        WebSocketServer server = WebSocketServer.start(options, upgrader, handler);
        try {
            // A connection the attack ended may take the close timeout to leave the server's count.
            Duration settle = options.limits().closeTimeout().plusSeconds(2);
            return new Siege(server, Bystander.start(server), settle);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    WebSocketServer server() {
        return server;
    }

    int port() {
        return server.port();
    }

    /**
     * Runs {@code attack} on a virtual thread while the bystander must keep getting echoes, fails if it takes
     * {@code bound} or longer (or fails itself), then checks the bystander is still served and waits, bounded, for
     * the server's connection count to return to what it was before.
     */
    void underAttack(Duration bound, Attack attack) throws Exception {
        bystander.awaitEchoes(2, WAIT);
        int baseline = server.connectionCount();
        long start = System.nanoTime();
        FutureTask<Void> running = new FutureTask<>(() -> {
            attack.run();
            return null;
        });
        Thread attacker = Thread.ofVirtual().name("attacker").start(running);
        // During: attacks shorter than two echoes have ended by now, which proves nothing, but hurts nothing.
        bystander.awaitEchoes(2, WAIT);
        try {
            running.get(Math.max(1, bound.toNanos() - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            AssertionError late = new AssertionError("the attack took longer than " + bound + "; it was at:");
            late.setStackTrace(attacker.getStackTrace());
            running.cancel(true);
            throw late;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw (Error) e.getCause();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (took.compareTo(bound) >= 0) {
            throw new AssertionError("the attack took " + took + ", not less than " + bound);
        }
        bystander.awaitEchoes(2, WAIT);
        awaitCondition("the server's connection count is back to " + baseline, settle,
                () -> server.connectionCount() == baseline);
    }

    /** Waits until {@code more} further echoes have come back to the bystander. */
    void awaitBystander(int more) throws InterruptedException {
        bystander.awaitEchoes(more, WAIT);
    }

    @Override
    public void close() throws IOException {
        try {
            bystander.close();
        } finally {
            server.close();
        }
    }
}
