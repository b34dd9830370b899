package dev.duplex.io;

import dev.duplex.ClientOptions;
import dev.duplex.Compression;
import dev.duplex.Handler;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.ServerOptions;
import dev.duplex.Tls;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketException;
import dev.duplex.WebSocketServer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.Loopback.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Resource hygiene: 10,000 connections that end in every way a connection ends - a clean close from either side,
 * a protocol failure, a TCP reset, an abort, the idle, close and handshake timeouts, a handler that throws, a TLS
 * handshake that fails, compression with context takeover, a server shut down under its connections - and then
 * the process holds what it held before: the same Duplex threads (virtual ones included), no more file descriptors,
 * every zlib stream given back, and the same live heap.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HygieneTest {

    private static final int CONNECTIONS = 10_000;
    /** Connections under way at once: enough to overlap every kind, few enough for two cores. */
    private static final int IN_FLIGHT = 64;
    /** The servers' idle and close timeouts: short, so that the timeout paths are taken often. */
    private static final Duration SHORT = Duration.ofMillis(300);
    /** The servers' handshake timeout: a busy client on two cores may take some hundreds of ms for a handshake. */
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration END = HANDSHAKE_TIMEOUT.plusSeconds(3);
    /** Live heap that may stay after the run: caches the JDK fills once, and the noise of a busy VM. */
    private static final long HEAP_GROWTH_LIMIT = 16L << 20;

    private static final Limits LIMITS = Loopback.LIMITS.withCloseTimeout(SHORT)
            .withHandshakeTimeout(HANDSHAKE_TIMEOUT).withSendTimeout(Duration.ofSeconds(5));
    private static final byte[] COMPRESSIBLE = RawAttacks.ascii("hygiene, hygiene, hygiene, ".repeat(40));

    @TempDir
    static Path directory;
    private static WebSocketServer plain;
    private static WebSocketServer idle;
    private static WebSocketServer tls;
    private static ClientOptions client;
    private static ClientOptions tlsClient;
    private static Object libraryLogger;

    /** What each connection does, and how it must end; a connection that ends otherwise fails the test. */
    enum Kind {
        CLIENT_CLOSES(15), SERVER_CLOSES(10), HANDLER_THROWS(6), PROTOCOL_FAILURE(10), TCP_RESET(10),
        CLIENT_ABORTS(8), IDLE_AND_CLOSE_TIMEOUT(5), HANDSHAKE_TIMEOUT(3), TLS_ECHO(5), TLS_UNTRUSTED(5),
        PLAINTEXT_TO_TLS(2), COMPRESSED_WITH_TAKEOVER(15), SERVER_SHUTDOWN(8);

        /** Connections of this kind in every 102. */
        final int share;

        Kind(int share) {
            this.share = share;
        }
    }

    /** Connections a {@link Kind#SERVER_SHUTDOWN} task opens before it closes its server under them. */
    private static final int PER_SHUTDOWN = 8;

    @BeforeAll
    static void start() throws Exception {
        libraryLogger = quietLibraryLog();
        Handler<Void> byPath = (ws, state) -> {
            if (ws.startLine().startsWith("GET /once ")) {
                Message m = ws.receive();
                if (m != null) {
                    ws.send(m);
                }
                return; // the server closes with 1000
            }
            if (ws.startLine().startsWith("GET /throws ")) {
                ws.receive();
                throw new IllegalStateException("a handler that fails, on purpose");
            }
            Loopback.<Void>echo().handle(ws, state);
        };
        ServerOptions options = Loopback.serverOptions().withLimits(LIMITS).withBacklog(1024)
                .withCompression(Compression.DEFAULT);
        plain = WebSocketServer.start(options, byPath);
        idle = Loopback.echoServer(options.withIdleTimeout(SHORT));
        TestCertificates certificates = TestCertificates.create(directory);
        tls = Loopback.echoServer(options.withTls(Tls.serverContext(certificates.ecCertificate(),
                certificates.ecKey())));
        client = Loopback.clientOptions();
        SSLContext trusting = Tls.trusting(certificates.ca());
        // The JDK keeps client sessions for resumption, up to 20,480 of them for a day: a cache of the context,
        // which the application owns, not memory of the connections. Kept small here so the heap compares.
        trusting.getClientSessionContext().setSessionCacheSize(1);
        tlsClient = client.withTls(trusting);
    }

    @AfterAll
    static void stop() throws Exception {
        for (WebSocketServer s : new WebSocketServer[] {plain, idle, tls}) {
            if (s != null) {
                s.close();
            }
        }
        if (libraryLogger != null) {
            setLevel(libraryLogger, null);
        }
    }

    @Test
    void tenThousandConnectionsEndingInEveryWayLeaveThreadsFileDescriptorsZlibAndHeapAsTheyWere() throws Exception {
        assumeTrue(ProcessResources.hasProcFs(), "needs /proc/self (Linux)");
        long seed = new Random().nextLong();
        // A first round loads every class, opens every jar and warms the JIT, so that the baseline is steady.
        run(plan(400, seed));
        awaitServersEmpty();

        List<String> threadsBefore = ProcessResources.duplexThreads();
        long fdsBefore = ProcessResources.openFileDescriptors();
        long zlibBefore = ZlibPool.SHARED.outstanding();
        long heapBefore = ProcessResources.heapUsedAfterGc();
        long rssBefore = ProcessResources.residentKiB();
        assertThat(threadsBefore).as("duplex threads seen in the dump (watchdog, accept loops)")
                .contains("duplex-watchdog");

        long start = System.nanoTime();
        Map<Kind, Integer> counts = run(plan(CONNECTIONS, seed + 1));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        awaitServersEmpty();

        List<String> threadsLeft = ProcessResources.pollUntil(() -> minus(ProcessResources.duplexThreads(),
                threadsBefore), List::isEmpty, WAIT);
        long fds = ProcessResources.pollUntil(ProcessResources::openFileDescriptors, n -> n <= fdsBefore, WAIT);
        long zlib = ProcessResources.pollUntil(ZlibPool.SHARED::outstanding, n -> n == zlibBefore, WAIT);
        long heap = ProcessResources.pollUntil(ProcessResources::heapUsedAfterGc,
                n -> n - heapBefore < HEAP_GROWTH_LIMIT, WAIT);
        long rss = ProcessResources.residentKiB();
        System.out.printf("%d connections in %s (seed %d): %s%n", CONNECTIONS, took, seed, counts);
        System.out.printf("duplex threads %d -> %d, fds %d -> %d, zlib streams %d -> %d, live heap %d -> %d KiB,"
                        + " resident %d -> %d KiB%n", threadsBefore.size(), threadsBefore.size() + threadsLeft.size(),
                fdsBefore, fds, zlibBefore, zlib, heapBefore >> 10, heap >> 10, rssBefore, rss);

        // Every check is reported, not only the first that fails.
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(threadsLeft).as("duplex threads started by the run and still alive").isEmpty();
        soft.assertThat(fds).as("open file descriptors (before the run: %d)", fdsBefore).isLessThanOrEqualTo(fdsBefore);
        soft.assertThat(zlib).as("zlib streams outstanding (before the run: %d)", zlibBefore).isEqualTo(zlibBefore);
        soft.assertThat(heap - heapBefore).as("live heap still held %s after the run, in bytes", WAIT)
                .isLessThan(HEAP_GROWTH_LIMIT);
        // Leaked zlib streams would cost hundreds of KiB each (ZlibPool counts them exactly), leaked platform
        // threads their stacks; the JIT's code and malloc's arenas move a few tens of MiB on their own.
        soft.assertThat(rss - rssBefore).as("resident memory added by the run, in KiB").isLessThan(128 * 1024);
        soft.assertAll();
    }

    /**
     * A connection that has ended, on either side, is garbage: nothing of the library keeps it reachable (its
     * socket, buffers and, over TLS, the engine's buffers with it) once the application lets go of it.
     */
    @Test
    void aConnectionThatHasEndedIsNotKeptReachableOnEitherSide() throws Exception {
        List<WeakReference<WebSocket>> serverSide = Collections.synchronizedList(new ArrayList<>());
        try (WebSocketServer server = WebSocketServer.start(Loopback.serverOptions(), (ws, state) -> {
            serverSide.add(new WeakReference<>(ws));
            Loopback.<Void>echo().handle(ws, state);
        })) {
            WeakReference<WebSocket> clientSide = openExchangeAndClose(server);
            awaitCondition("the server's connection gone", WAIT, () -> server.connectionCount() == 0);
            assertThat(serverSide).hasSize(1);
            long start = System.nanoTime();
            boolean collected = ProcessResources.pollUntil(() -> {
                System.gc();
                return clientSide.get() == null && serverSide.getFirst().get() == null;
            }, done -> done, WAIT);
            assertThat(collected).as("both ends collected %s after the close (client: %s, server: %s)",
                    Duration.ofNanos(System.nanoTime() - start), clientSide.get(), serverSide.getFirst().get())
                    .isTrue();
        }
    }

    /** In a method of its own, so that no local variable of the caller holds the connection. */
    private static WeakReference<WebSocket> openExchangeAndClose(WebSocketServer server) throws IOException {
        WebSocket ws = Loopback.connect(server);
        echoOnce(ws);
        ws.close();
        return new WeakReference<>(ws);
    }

    /** {@code connections} connections' worth of tasks, in a seeded random order. */
    private static List<Kind> plan(int connections, long seed) {
        List<Kind> tasks = new ArrayList<>();
        int planned = 0;
        for (int cycle = 0; planned < connections && cycle < connections; cycle++) {
            for (Kind kind : Kind.values()) {
                int each = kind == Kind.SERVER_SHUTDOWN ? PER_SHUTDOWN : 1;
                for (int n = 0; n < kind.share / each && planned < connections; n++) {
                    tasks.add(kind);
                    planned += each;
                }
            }
        }
        Collections.shuffle(tasks, new Random(seed));
        return tasks;
    }

    /** Runs the tasks, {@link #IN_FLIGHT} at a time, and fails with every failure if any failed. */
    private static Map<Kind, Integer> run(List<Kind> tasks) throws Exception {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Map<Kind, AtomicInteger> counts = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            counts.put(k, new AtomicInteger());
        }
        for (Kind kind : tasks) {
            if (!slots.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("no connection finished for " + WAIT + "; " + failures.size() + " failed");
            }
            if (failures.size() > 10) {
                slots.release();
                break;
            }
            Thread.ofVirtual().name("hygiene-" + kind).start(() -> {
                try {
                    connect(kind);
                    counts.get(kind).incrementAndGet();
                } catch (Throwable e) {
                    AssertionError failure = new AssertionError(kind + ": " + e, e);
                    failures.add(failure);
                } finally {
                    slots.release();
                }
            });
        }
        if (!slots.tryAcquire(IN_FLIGHT, WAIT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the last connections did not finish within " + WAIT.multipliedBy(2));
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError(failures.size() + " connection(s) did not end as expected");
            failures.forEach(error::addSuppressed);
            throw error;
        }
        Map<Kind, Integer> result = new EnumMap<>(Kind.class);
        counts.forEach((k, v) -> result.put(k, v.get()));
        return result;
    }

    /** One connection (or, for a server shutdown, {@link #PER_SHUTDOWN}) of this kind, checked to end as it should. */
    private static void connect(Kind kind) throws Exception {
        switch (kind) {
            case CLIENT_CLOSES -> {
                try (WebSocket ws = WebSocket.connect(uri(plain, "/echo"), Headers.EMPTY, client)) {
                    echoOnce(ws);
                }
            }
            case SERVER_CLOSES -> {
                try (WebSocket ws = WebSocket.connect(uri(plain, "/once"), Headers.EMPTY, client)) {
                    echoOnce(ws);
                    assertThat(Loopback.receive(ws)).as("the end of the stream").isNull();
                }
            }
            case HANDLER_THROWS -> {
                try (WebSocket ws = WebSocket.connect(uri(plain, "/throws"), Headers.EMPTY, client)) {
                    ws.send("make it throw");
                    Throwable thrown = catchThrowable(() -> Loopback.receive(ws));
                    assertThat(thrown).isInstanceOfSatisfying(WebSocketException.class,
                            e -> assertThat(e.status().code()).isEqualTo(1011));
                }
            }
            case PROTOCOL_FAILURE -> RawAttacks.expectCloseAfter(plain.port(), 1002, END,
                    RawFrame.text("not masked").encode(null));
            case TCP_RESET -> {
                RawClient raw = RawClient.open(plain.port());
                raw.write(RawFrame.header(true, 0, RawFrame.BINARY, 100, RawAttacks.mask()), new byte[10]);
                raw.reset();
            }
            case CLIENT_ABORTS -> {
                WebSocket ws = WebSocket.connect(uri(plain, "/echo"), Headers.EMPTY, client);
                echoOnce(ws);
                ((Connection) ws).abort("the test drops the connection", null);
                assertThat(catchThrowable(ws::receive)).isInstanceOf(WebSocketException.class);
            }
            case IDLE_AND_CLOSE_TIMEOUT -> {
                try (RawClient raw = RawClient.open(idle.port())) {
                    RawFrame close = raw.readFrame();
                    assertThat(close.opcode()).isEqualTo(RawFrame.CLOSE);
                    assertThat(close.closeCode()).isEqualTo(1001);
                    raw.readToEof(END); // never answered: dropped at the close timeout
                }
            }
            case HANDSHAKE_TIMEOUT -> {
                try (RawClient raw = RawClient.connect(plain.port())) {
                    raw.write(RawAttacks.ascii("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
                    raw.readToEof(END);
                }
            }
            case TLS_ECHO -> {
                try (WebSocket ws = WebSocket.connect(wss(), Headers.EMPTY, tlsClient)) {
                    echoOnce(ws);
                }
            }
            case TLS_UNTRUSTED -> assertThat(catchThrowable(() -> WebSocket.connect(wss(), Headers.EMPTY, client)
                    .close())).isInstanceOf(SSLHandshakeException.class);
            case PLAINTEXT_TO_TLS -> {
                try (RawClient raw = RawClient.connect(tls.port())) {
                    raw.write(RawClient.request("/", RawClient.newKey()));
                    assertThat(raw.readHttp().status()).isEqualTo(400);
                }
            }
            case COMPRESSED_WITH_TAKEOVER -> {
                ClientOptions compressing = client.withCompression(Compression.DEFAULT.withThreshold(0));
                try (WebSocket ws = WebSocket.connect(uri(plain, "/echo"), Headers.EMPTY, compressing)) {
                    assertThat(ws.headers().first("Sec-WebSocket-Extensions")).hasValue("permessage-deflate");
                    for (int i = 0; i < 3; i++) {
                        ws.send(ByteBuffer.wrap(COMPRESSIBLE));
                        assertThat(Loopback.receive(ws)).isEqualTo(Message.binary(COMPRESSIBLE));
                    }
                }
            }
            case SERVER_SHUTDOWN -> shutDownUnderConnections();
        }
    }

    private static void shutDownUnderConnections() throws Exception {
        ClientOptions compressing = client.withCompression(Compression.DEFAULT.withThreshold(0));
        List<WebSocket> open = new ArrayList<>();
        try (WebSocketServer doomed = WebSocketServer.start(Loopback.serverOptions().withLimits(LIMITS)
                .withCompression(Compression.DEFAULT), Loopback.echo())) {
            for (int i = 0; i < PER_SHUTDOWN; i++) {
                WebSocket ws = WebSocket.connect(Loopback.uri(doomed), Headers.EMPTY, compressing);
                open.add(ws);
                ws.send(ByteBuffer.wrap(COMPRESSIBLE));
                assertThat(Loopback.receive(ws)).isEqualTo(Message.binary(COMPRESSIBLE));
            }
            doomed.close();
            for (WebSocket ws : open) {
                assertThat(Loopback.receive(ws)).as("the end of the stream at shutdown (1001)").isNull();
            }
        } finally {
            for (WebSocket ws : open) {
                ws.close();
            }
        }
    }

    private static void echoOnce(WebSocket ws) throws IOException {
        ws.send("hygiene");
        assertThat(Loopback.receive(ws)).isEqualTo(Message.text("hygiene"));
    }

    private static URI uri(WebSocketServer server, String target) {
        return Loopback.uri(server.port(), target);
    }

    private static URI wss() {
        return URI.create("wss://localhost:" + tls.port() + "/");
    }

    private static void awaitServersEmpty() {
        awaitCondition("every server connection gone", WAIT, () -> plain.connectionCount() == 0
                && idle.connectionCount() == 0 && tls.connectionCount() == 0);
    }

    /** The names in {@code now} that {@code before} does not account for, counting repeated names. */
    private static List<String> minus(List<String> now, List<String> before) {
        Map<String, Integer> remaining = new HashMap<>();
        for (String name : before) {
            remaining.merge(name, 1, Integer::sum);
        }
        List<String> extra = new ArrayList<>();
        for (String name : now) {
            if (remaining.merge(name, -1, Integer::sum) < 0) {
                extra.add(name);
            }
        }
        return extra;
    }

    /**
     * Lowers the library's log to errors for this run: about 600 handlers throw on purpose, and each would log its
     * stack trace as a warning. Through java.util.logging, reflectively, as the tests compile in module dev.duplex, which
     * does not read java.logging; the logger is returned so that it is held (and its level kept) until the end.
     */
    private static Object quietLibraryLog() throws ReflectiveOperationException {
        Class<?> loggers = Class.forName("java.util.logging.Logger");
        Object logger = loggers.getMethod("getLogger", String.class).invoke(null, "dev.duplex");
        setLevel(logger, "SEVERE");
        return logger;
    }

    private static void setLevel(Object logger, String level) throws ReflectiveOperationException {
        Class<?> levels = Class.forName("java.util.logging.Level");
        Object value = level == null ? null : levels.getField(level).get(null);
        logger.getClass().getMethod("setLevel", levels).invoke(logger, value);
    }
}
