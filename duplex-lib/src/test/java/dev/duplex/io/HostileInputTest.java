package dev.duplex.io;

import dev.duplex.CloseStatus;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketException;
import dev.duplex.WebSocketServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.Loopback.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Hostile peers against our server: each attack gets the protocol's answer (an HTTP error during the opening
 * handshake, a Close with 1002, 1007 or 1009 after it, or a timeout), within a bounded time, the attacker's socket
 * is then closed by the server, the server's connection count returns to where it was, and a well-behaved client on
 * the same server keeps getting its echoes throughout.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileInputTest {

    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofMillis(500);
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(800);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    /** What a timeout may overrun by on two busy cores before the test calls it a failure. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    private static final int MAX_MESSAGE = 64 * 1024;
    private static final int MAX_FRAGMENTS = 256;

    private static final Limits LIMITS = Loopback.LIMITS
            .withHandshakeTimeout(HANDSHAKE_TIMEOUT)
            .withCloseTimeout(CLOSE_TIMEOUT)
            .withMaxMessageSize(MAX_MESSAGE)
            .withMaxFrameSize(MAX_MESSAGE)
            .withMaxFragments(MAX_FRAGMENTS);

    private static WebSocketServer server;
    private static Bystander bystander;

    @BeforeAll
    static void startServerAndBystander() throws IOException {
        server = Loopback.echoServer(Loopback.serverOptions().withLimits(LIMITS).withIdleTimeout(IDLE_TIMEOUT));
        bystander = Bystander.start(server);
    }

    @AfterAll
    static void stopThem() throws Exception {
        if (bystander != null) {
            bystander.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** An attack that checks its own answer and that the server closed the attacker's socket. */
    @FunctionalInterface
    private interface Attack {
        void run() throws Exception;
    }

    /**
     * Runs one attack between two checks that the bystander is served, bounds its duration, and waits (bounded)
     * for the server's connection count to return to what it was before.
     */
    private static void underAttack(Duration bound, Attack attack) throws Exception {
        bystander.awaitEchoes(2, WAIT);
        int baseline = server.connectionCount();
        long start = System.nanoTime();
        attack.run();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time the attack took").isLessThan(bound);
        bystander.awaitEchoes(2, WAIT);
        awaitCondition("the server's connection count is back to " + baseline, CLOSE_TIMEOUT.plus(SLACK),
                () -> server.connectionCount() == baseline);
    }

    // ---------------------------------------------------------------- the opening handshake

    @Test
    void garbageInsteadOfAHandshakeIsAnsweredWith400() throws Exception {
        underAttack(SLACK, HostileInputTest::garbageHandshake);
    }

    @Test
    void aOneMebibyteHeaderLineIsAnsweredWith431() throws Exception {
        underAttack(SLACK.plusSeconds(3), HostileInputTest::hugeHeaderLine);
    }

    @Test
    void aOneMebibyteRequestLineIsAnsweredWith414() throws Exception {
        underAttack(SLACK.plusSeconds(3), HostileInputTest::hugeRequestLine);
    }

    @Test
    void tenThousandHeadersAreAnsweredWith431() throws Exception {
        underAttack(SLACK.plusSeconds(3), HostileInputTest::tenThousandHeaders);
    }

    @Test
    void aClientThatStopsMidHandshakeIsDisconnectedAfterTheHandshakeTimeout() throws Exception {
        underAttack(HANDSHAKE_TIMEOUT.plus(SLACK), HostileInputTest::stopMidHandshake);
    }

    @Test
    void aHandshakeTrickledAByteAtATimeIsCutOffAtTheHandshakeTimeout() throws Exception {
        underAttack(HANDSHAKE_TIMEOUT.plus(SLACK), HostileInputTest::trickleHandshake);
    }

    // ---------------------------------------------------------------- frames

    @Test
    void aClientThatStopsMidFrameIsClosedWith1001AfterTheIdleTimeout() throws Exception {
        underAttack(IDLE_TIMEOUT.plus(CLOSE_TIMEOUT).plus(SLACK), HostileInputTest::stopMidFrame);
    }

    @Test
    void aDeclaredLengthOf2To63Minus1IsOverTheFrameLimitAndFailsWith1009() throws Exception {
        underAttack(SLACK, HostileInputTest::largestLegalLength);
    }

    @Test
    void aDeclaredLengthWithTheMostSignificantBitSetFailsWith1002() throws Exception {
        underAttack(SLACK, HostileInputTest::lengthWithMsbSet);
    }

    @Test
    void endlessContinuationFramesFailWith1009AtTheMessageSizeLimit() throws Exception {
        underAttack(SLACK.plusSeconds(2), () -> endlessContinuations(4096));
    }

    @Test
    void endlessEmptyContinuationFramesFailWith1009AtTheFragmentLimit() throws Exception {
        underAttack(SLACK.plusSeconds(2), () -> endlessContinuations(0));
    }

    @Test
    void anUnmaskedClientFrameFailsWith1002() throws Exception {
        underAttack(SLACK, HostileInputTest::unmaskedFrame);
    }

    @Test
    void invalidUtf8SplitAcrossFragmentsFailsWith1007() throws Exception {
        underAttack(SLACK, HostileInputTest::invalidUtf8AcrossFragments);
    }

    @Test
    void aClientThatFloodsPingsAndNeverReadsIsDroppedAfterTheIdleAndCloseTimeouts() throws Exception {
        underAttack(IDLE_TIMEOUT.plus(CLOSE_TIMEOUT).plus(SLACK).plus(SLACK), HostileInputTest::pingFloodWithoutReading);
    }

    // ---------------------------------------------------------------- against our client

    @Test
    void ourClientFailsTheConnectionWith1002WhenTheServerMasksAFrame() throws Exception {
        try (RawServer rawServer = RawServer.start()) {
            FutureTask<WebSocket> connecting = new FutureTask<>(() -> WebSocket.connect(rawServer.uri(),
                    Headers.EMPTY, Loopback.clientOptions()));
            Thread.ofVirtual().name("connecting").start(connecting);
            try (RawServer.Peer peer = rawServer.accept();
                 WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                // RFC 6455 §5.1: "A client MUST close a connection if it detects a masked frame."
                peer.write(RawFrame.text("masked").encode(mask()));
                assertThatThrownBy(() -> Loopback.receive(ws)).isInstanceOfSatisfying(WebSocketException.class,
                        e -> assertThat(e.status().code()).isEqualTo(1002));
                RawFrame close = peer.readFrame();
                assertThat(close.opcode()).isEqualTo(RawFrame.CLOSE);
                assertThat(close.closeCode()).isEqualTo(1002);
                // The server closes TCP first; the client then closes its side.
                peer.shutdownOutput();
                peer.readToEof(WAIT);
                assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1002);
            }
        }
    }

    // ---------------------------------------------------------------- resources

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aBatchOfAttacksLeavesNoThreadAndNoFileDescriptorBehind() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux)");
        // A first batch loads every class and opens every jar the attacks need, so the baseline is steady.
        runBatch();
        int connections = server.connectionCount();

        Set<String> threadsBefore = duplexThreads();
        // The dump must see virtual threads at all: the bystander has a reader on each side and a handler.
        assertThat(threadsBefore).as("duplex threads in the dump").hasSizeGreaterThanOrEqualTo(3);
        long fdsBefore = openFileDescriptors(fds);
        bystander.awaitEchoes(2, WAIT);
        runBatch();
        bystander.awaitEchoes(2, WAIT);

        // Every duplex thread alive now must have been alive before: no thread of the batch is left.
        Set<String> left = pollUntil(() -> {
            Set<String> now = duplexThreads();
            now.removeAll(threadsBefore);
            return now;
        }, Set::isEmpty);
        assertThat(left).as("duplex threads started by the attacks and still alive").isEmpty();
        long fdsAfter = pollUntil(() -> openFileDescriptors(fds), n -> n <= fdsBefore);
        assertThat(fdsAfter).as("open file descriptors (before the batch: %d)", fdsBefore).isLessThanOrEqualTo(fdsBefore);
        assertThat(server.connectionCount()).isEqualTo(connections);
    }

    /** Runs every attack at once, each on its own virtual thread, and rethrows the first failure. */
    private static void runBatch() throws Exception {
        int connections = server.connectionCount();
        List<Attack> attacks = List.of(HostileInputTest::garbageHandshake, HostileInputTest::hugeHeaderLine,
                HostileInputTest::hugeRequestLine, HostileInputTest::tenThousandHeaders,
                HostileInputTest::stopMidHandshake, HostileInputTest::trickleHandshake,
                HostileInputTest::stopMidFrame,
                HostileInputTest::largestLegalLength, HostileInputTest::lengthWithMsbSet,
                () -> endlessContinuations(4096), () -> endlessContinuations(0),
                HostileInputTest::unmaskedFrame, HostileInputTest::invalidUtf8AcrossFragments);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (Attack a : attacks) {
            threads.add(Thread.ofVirtual().name("attacker").start(() -> {
                try {
                    a.run();
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            assertThat(t.join(WAIT.multipliedBy(2))).as("an attack finished").isTrue();
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError(failures.size() + " attack(s) in the batch failed");
            failures.forEach(error::addSuppressed);
            throw error;
        }
        awaitCondition("no connection of the batch is left", CLOSE_TIMEOUT.plus(SLACK),
                () -> server.connectionCount() == connections);
    }

    private static final Pattern DUPLEX_THREAD = Pattern.compile("\"name\": \"(duplex-(?:read|conn)-\\d+)\"");

    /**
     * The names of the live duplex-read-* and duplex-conn-* threads, virtual ones included, from a JSON thread dump
     * (the only JDK API that lists virtual threads). The ids in the names are unique, so a set compares exactly.
     */
    private static Set<String> duplexThreads() {
        try {
            Path dir = Files.createTempDirectory("duplex-threads");
            Path file = dir.resolve("dump.json");
            try {
                dumpThreadsAsJson(file);
                Matcher m = DUPLEX_THREAD.matcher(Files.readString(file));
                Set<String> names = new TreeSet<>();
                while (m.find()) {
                    names.add(m.group(1));
                }
                return names;
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code HotSpotDiagnosticMXBean.dumpThreads(file, ThreadDumpFormat.JSON)}, called reflectively: the tests
     * compile inside module dev.duplex, which (rightly) does not read java.management or jdk.management, while at
     * run time they are on the class path, where every module is readable.
     */
    private static void dumpThreadsAsJson(Path file) throws IOException {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Class<?> bean = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            @SuppressWarnings({"unchecked", "rawtypes"})
            Class<Enum> format = (Class<Enum>) Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
            Object mxBean = factory.getMethod("getPlatformMXBean", Class.class).invoke(null, bean);
            @SuppressWarnings("unchecked")
            Object json = Enum.valueOf(format, "JSON");
            bean.getMethod("dumpThreads", String.class, format).invoke(mxBean, file.toString(), json);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JDK has no HotSpotDiagnosticMXBean.dumpThreads", e);
        }
    }

    private static long openFileDescriptors(Path fds) {
        try (Stream<Path> list = Files.list(fds)) {
            return list.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Samples {@code value} until {@code done} accepts it or {@link Loopback#WAIT} has passed; returns the last. */
    private static <T> T pollUntil(java.util.function.Supplier<T> value, java.util.function.Predicate<T> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T v = value.get();
        for (int i = 0; i < 2000 && !done.test(v) && System.nanoTime() - deadline < 0; i++) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            v = value.get();
        }
        return v;
    }

    // ---------------------------------------------------------------- the attacks

    private static void garbageHandshake() throws IOException {
        try (RawClient raw = RawClient.connect(server.port())) {
            // The start of a TLS ClientHello, then line ends: control characters in a request-line.
            raw.write(new byte[]{0x16, 0x03, 0x01, 0x00, (byte) 0xA5, 0x01, 0x00, 0x00}, ascii("\r\n\r\n"));
            assertThat(raw.readHttp().status()).isEqualTo(400);
            raw.expectEndOfStream(CLOSE_TIMEOUT.plus(SLACK));
        }
    }

    private static void hugeHeaderLine() throws Exception {
        byte[] big = new byte[1 << 20];
        Arrays.fill(big, (byte) 'a');
        refusedWhileWriting(431, ascii("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "), big, ascii("\r\n\r\n"));
    }

    private static void hugeRequestLine() throws Exception {
        byte[] big = new byte[1 << 20];
        Arrays.fill(big, (byte) 'a');
        refusedWhileWriting(414, ascii("GET /"), big, ascii(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    }

    private static void tenThousandHeaders() throws Exception {
        StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 0; i < 10_000; i++) {
            sb.append("X-Header-").append(i).append(": ").append(i).append("\r\n");
        }
        refusedWhileWriting(431, ascii(sb.append("\r\n").toString()));
    }

    /**
     * Writes an oversized head on another thread while reading the answer on this one: the server answers as soon
     * as a limit is crossed, possibly long before the head has been written.
     */
    private static void refusedWhileWriting(int status, byte[]... head) throws Exception {
        try (RawClient raw = RawClient.connect(server.port())) {
            FutureTask<Void> writing = new FutureTask<>(() -> {
                try {
                    raw.write(head);
                } catch (IOException e) {
                    // The server may stop reading once it has answered; the answer is what counts.
                }
                return null;
            });
            Thread.ofVirtual().name("oversized-head-writer").start(writing);
            RawEndpoint.HttpHead response = raw.readHttp();
            assertThat(response.status()).as(response.startLine()).isEqualTo(status);
            raw.expectEndOfStream(CLOSE_TIMEOUT.plus(SLACK));
            writing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static void stopMidHandshake() throws IOException {
        long start = System.nanoTime();
        try (RawClient raw = RawClient.connect(server.port())) {
            raw.write(ascii("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"));
            raw.readToEof(HANDSHAKE_TIMEOUT.plus(SLACK));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time until the server hung up")
                    .isGreaterThanOrEqualTo(HANDSHAKE_TIMEOUT);
        }
    }

    /**
     * Slowloris: a valid request sent one byte every 50 ms, never finished. The handshake timeout bounds the whole
     * opening handshake, not each read, so the server hangs up at about {@link #HANDSHAKE_TIMEOUT}, though bytes
     * keep coming.
     */
    private static void trickleHandshake() throws IOException {
        byte[] request = RawClient.request("/", RawClient.newKey());
        long start = System.nanoTime();
        try (RawClient raw = RawClient.connect(server.port())) {
            boolean hungUp = false;
            // Never the final CRLF: the head stays incomplete however long this runs (150 bytes, about 7.5 s).
            for (int i = 0; i < request.length - 2 && !hungUp; i++) {
                try {
                    raw.write(new byte[]{request[i]});
                    // The pause between bytes doubles as the check whether the server has hung up.
                    hungUp = raw.hangsUpWithin(Duration.ofMillis(50));
                } catch (SocketException e) {
                    hungUp = true; // reset: the server closed the socket under a write
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(hungUp).as("the server hung up on a handshake trickling for %s", took).isTrue();
            assertThat(took).isGreaterThanOrEqualTo(HANDSHAKE_TIMEOUT).isLessThan(HANDSHAKE_TIMEOUT.plus(SLACK));
        }
    }

    /**
     * A client that sends Ping after Ping and never reads the Pongs. Once TCP has filled up in both directions the
     * client goes silent; the server then has nothing to read and nothing it can write, which is what the idle
     * timeout is for: Close 1001, then, unanswered, the close timeout drops the connection.
     */
    private static void pingFloodWithoutReading() throws Exception {
        int baseline = server.connectionCount();
        RawClient raw = RawClient.open(server.port());
        RawFrame[] batch = new RawFrame[500];
        Arrays.fill(batch, new RawFrame(true, 0, RawFrame.PING, new byte[125]));
        FutureTask<Integer> flooding = new FutureTask<>(() -> {
            int sent = 0;
            try {
                // About 50 MB of pings at most; the flood stalls long before, when both directions are full.
                for (; sent < 400_000; sent += batch.length) {
                    raw.send(batch);
                }
            } catch (IOException e) {
                // The server dropped the connection, or the test closed the socket: the flood is over.
            }
            return sent;
        });
        Thread.ofVirtual().name("ping-flooder").start(flooding);
        try {
            awaitCondition("the server has dropped the client that floods pings and reads nothing",
                    IDLE_TIMEOUT.plus(CLOSE_TIMEOUT).plus(SLACK), () -> server.connectionCount() == baseline);
        } finally {
            raw.close(); // unblocks the flooder, and the server, whatever happened
            flooding.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static void stopMidFrame() throws IOException {
        try (RawClient raw = RawClient.open(server.port())) {
            // A binary frame that declares 100 bytes and delivers 10; then silence. (Binary, because these bytes
            // are not masked text: a text frame would fail fast with 1007 on the "unmasked" bytes.)
            raw.write(RawFrame.header(true, 0, RawFrame.BINARY, 100, mask()), ascii("0123456789"));
            long sent = System.nanoTime();
            raw.setReadTimeout(IDLE_TIMEOUT.plus(SLACK));
            RawFrame close = raw.readFrame();
            Duration took = Duration.ofNanos(System.nanoTime() - sent);
            assertThat(close.opcode()).isEqualTo(RawFrame.CLOSE);
            assertThat(close.closeCode()).as("idle timeout closes with Going Away").isEqualTo(1001);
            assertThat(took).isGreaterThanOrEqualTo(IDLE_TIMEOUT.minusMillis(10));
            // The attacker never answers the Close: the server drops it after the close timeout.
            raw.readToEof(CLOSE_TIMEOUT.plus(SLACK));
        }
    }

    private static void largestLegalLength() throws IOException {
        // 2^63-1 has its most significant bit clear, so it is a syntactically valid length (RFC 6455 §5.2); it is
        // simply larger than maxFrameSize, and a frame over a size limit is answered with 1009 (Message Too Big).
        expectCloseAfter(1009, RawFrame.header(true, 0, RawFrame.TEXT, Long.MAX_VALUE, mask()));
    }

    private static void lengthWithMsbSet() throws IOException {
        // 2^64-1: RFC 6455 §5.2 "the most significant bit MUST be 0", so this is a protocol error: 1002.
        expectCloseAfter(1002, RawFrame.header(true, 0, RawFrame.TEXT, -1L, mask()));
    }

    private static void unmaskedFrame() throws IOException {
        // RFC 6455 §5.1: "a server MUST close the connection upon receiving a frame that is not masked" (1002).
        expectCloseAfter(1002, RawFrame.text("not masked").encode(null));
    }

    private static void invalidUtf8AcrossFragments() throws IOException {
        try (RawClient raw = RawClient.open(server.port())) {
            // E2 82 is a valid start of a three-byte sequence; the 0x28 that the next fragment begins with is not
            // a continuation byte. Neither fragment is invalid alone: only the message is.
            raw.send(RawFrame.text(false, new byte[]{'o', 'k', ' ', (byte) 0xE2, (byte) 0x82}));
            raw.send(RawFrame.continuation(true, new byte[]{0x28, 'x'}));
            expectClose(raw, 1007);
        }
    }

    /**
     * A text message that never ends: a first frame and then continuation frames of {@code frameSize} bytes each,
     * until the server's Close arrives. With data, the message-size limit is crossed first; with empty frames, the
     * fragment limit. Either way the answer is 1009 (Message Too Big).
     */
    private static void endlessContinuations(int frameSize) throws Exception {
        byte[] payload = new byte[frameSize];
        Arrays.fill(payload, (byte) 'x');
        try (RawClient raw = RawClient.open(server.port())) {
            AtomicBoolean stop = new AtomicBoolean();
            // Far more than either limit needs, but bounded: the server must have cut the message off long before.
            int maxFrames = 10 * Math.max(MAX_FRAGMENTS, MAX_MESSAGE / Math.max(1, frameSize));
            FutureTask<Integer> writing = new FutureTask<>(() -> {
                int sent = 0;
                try {
                    raw.send(RawFrame.text(false, payload));
                    for (; sent < maxFrames && !stop.get(); sent += 16) {
                        RawFrame[] batch = new RawFrame[16];
                        Arrays.fill(batch, RawFrame.continuation(false, payload));
                        raw.send(batch);
                    }
                } catch (IOException e) {
                    // The server stopped reading after its Close; that is the point.
                }
                return sent;
            });
            Thread.ofVirtual().name("continuation-writer").start(writing);
            try {
                raw.setReadTimeout(WAIT);
                RawFrame close = raw.readFrame();
                assertThat(close.opcode()).isEqualTo(RawFrame.CLOSE);
                assertThat(close.closeCode()).isEqualTo(1009);
            } finally {
                stop.set(true);
                writing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            raw.expectEndOfStream(CLOSE_TIMEOUT.plus(SLACK));
        }
    }

    /** Opens a connection, writes {@code bytes}, and expects a Close with {@code code} and then the end of stream. */
    private static void expectCloseAfter(int code, byte[] bytes) throws IOException {
        try (RawClient raw = RawClient.open(server.port())) {
            raw.write(bytes);
            expectClose(raw, code);
        }
    }

    private static void expectClose(RawClient raw, int code) throws IOException {
        RawFrame close = raw.readFrame();
        assertThat(close.opcode()).as("the server's answer: %s", close).isEqualTo(RawFrame.CLOSE);
        assertThat(close.closeCode()).as("close code (reason: %s)", close.closeReason()).isEqualTo(code);
        // Nothing follows a Close, and the server closes TCP first (RFC 6455 §7.1.1).
        raw.expectEndOfStream(CLOSE_TIMEOUT.plus(SLACK));
    }

    private static Integer mask() {
        return ThreadLocalRandom.current().nextInt();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
