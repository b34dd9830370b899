package dev.duplex.io;

import dev.duplex.ClientOptions;
import dev.duplex.Handler;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What the socket tests share: servers bound to 127.0.0.1 on port 0, an echo handler, receives with a time bound,
 * and bounded polling for conditions that have no event to wait on (such as {@code connectionCount() == 0}).
 */
public final class Loopback {

    /** How long a test waits for something that should happen promptly; a failure, not a hang, if it does not. */
    public static final Duration WAIT = Duration.ofSeconds(10);

    /**
     * Limits for tests: the defaults, with a closing handshake bounded by 2 s instead of 10 s, so that a close that
     * goes wrong fails fast rather than slowly.
     */
    public static final Limits LIMITS = Limits.DEFAULT.withCloseTimeout(Duration.ofSeconds(2));

    private Loopback() {
    }

    /** Server options for tests: 127.0.0.1, port 0, {@link #LIMITS}. */
    public static ServerOptions serverOptions() {
        return ServerOptions.DEFAULT.withListenAddress(InetAddress.getLoopbackAddress()).withPort(0)
                .withLimits(LIMITS);
    }

    public static ClientOptions clientOptions() {
        return ClientOptions.DEFAULT.withLimits(LIMITS);
    }

    /** Sends back every message until the end of the stream. */
    public static <S> Handler<S> echo() {
        return (ws, state) -> {
            for (Message m; (m = ws.receive()) != null; ) {
                ws.send(m);
            }
        };
    }

    public static WebSocketServer echoServer(ServerOptions options) throws IOException {
        return WebSocketServer.start(options, echo());
    }

    public static URI uri(WebSocketServer server) {
        return uri(server.port(), "/");
    }

    public static URI uri(int port, String target) {
        return URI.create("ws://127.0.0.1:" + port + target);
    }

    public static WebSocket connect(WebSocketServer server) throws IOException {
        return WebSocket.connect(uri(server), dev.duplex.Headers.EMPTY, clientOptions());
    }

    /**
     * {@link WebSocket#receive()} that fails the test instead of blocking past {@code timeout}: it waits with
     * {@link WebSocket#select}, after which receive() does not block.
     */
    public static Message receiveWithin(WebSocket ws, Duration timeout) throws IOException {
        Optional<WebSocket> ready;
        try {
            ready = WebSocket.select(List.of(ws), timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a message");
        }
        if (ready.isEmpty()) {
            throw new AssertionError("no message and no end of stream within " + timeout + " on " + ws);
        }
        return ws.receive();
    }

    /** {@link #receiveWithin} with {@link #WAIT}. */
    public static Message receive(WebSocket ws) throws IOException {
        return receiveWithin(ws, WAIT);
    }

    /**
     * Connects and expects the connection to be refused (the connect, or the close right after it, throws) within
     * {@code within}; returns what was thrown.
     */
    public static Throwable refusedWithin(URI uri, ClientOptions options, Duration within) {
        long start = System.nanoTime();
        Throwable thrown = null;
        try {
            WebSocket.connect(uri, dev.duplex.Headers.EMPTY, options).close();
        } catch (Throwable t) {
            thrown = t;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (thrown == null) {
            throw new AssertionError("connecting to " + uri + " succeeded; it should have been refused");
        }
        if (took.compareTo(within) >= 0) {
            throw new AssertionError("the connection to " + uri + " was refused after " + took + ", not within "
                    + within, thrown);
        }
        return thrown;
    }

    /**
     * Polls {@code condition} every few milliseconds until it holds, failing with {@code what} once {@code timeout}
     * has passed. For states that raise no event; everything else waits on a latch, a join or a read.
     */
    public static void awaitCondition(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long maxPolls = timeout.toMillis() / 5 + 2;
        for (long i = 0; i < maxPolls; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        if (!condition.getAsBoolean()) {
            throw new AssertionError("timed out after " + timeout + " waiting until " + what);
        }
    }

    /** Runs {@code task} on a virtual thread named {@code test-background}; get its result with a timeout. */
    public static <T> FutureTask<T> inBackground(Callable<T> task) {
        FutureTask<T> future = new FutureTask<>(task);
        Thread.ofVirtual().name("test-background").start(future);
        return future;
    }

    /** A deterministic ASCII text of {@code size} characters (and bytes), different at every offset mod 61. */
    public static String asciiText(int size) {
        StringBuilder sb = new StringBuilder(size);
        for (int i = 0; i < size; i++) {
            sb.append((char) ('A' + i % 61 % 58));
        }
        return sb.toString();
    }

    /** Deterministic bytes covering every value 0-255, so that masking and unmasking errors show. */
    public static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        int x = seed * 0x9E3779B1 + 1;
        for (int i = 0; i < size; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            b[i] = (byte) x;
        }
        return b;
    }
}
