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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

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

    private static Siege siege;
    private static WebSocketServer server;

    @BeforeAll
    static void startServerAndBystander() throws IOException {
        siege = Siege.start(Loopback.serverOptions().withLimits(LIMITS).withIdleTimeout(IDLE_TIMEOUT));
        server = siege.server();
    }

    @AfterAll
    static void stopThem() throws Exception {
        if (siege != null) {
            siege.close();
        }
    }

    /** {@link Siege#underAttack}: the attack is answered within its bound while the bystander is served. */
    private static void underAttack(Duration bound, Siege.Attack attack) throws Exception {
        siege.underAttack(bound, attack);
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
        assumeTrue(ProcessResources.hasProcFs(), "needs /proc/self/fd (Linux)");
        // A first batch loads every class and opens every jar the attacks need, so the baseline is steady.
        runBatch();
        int connections = server.connectionCount();

        Set<String> threadsBefore = duplexThreads();
        // The dump must see virtual threads at all: the bystander has a reader on each side and a handler.
        assertThat(threadsBefore).as("duplex threads in the dump").hasSizeGreaterThanOrEqualTo(3);
        long fdsBefore = ProcessResources.openFileDescriptors();
        siege.awaitBystander(2);
        runBatch();
        siege.awaitBystander(2);

        // Every duplex thread alive now must have been alive before: no thread of the batch is left.
        Set<String> left = ProcessResources.pollUntil(() -> {
            Set<String> now = duplexThreads();
            now.removeAll(threadsBefore);
            return now;
        }, Set::isEmpty, WAIT);
        assertThat(left).as("duplex threads started by the attacks and still alive").isEmpty();
        long fdsAfter = ProcessResources.pollUntil(ProcessResources::openFileDescriptors, n -> n <= fdsBefore, WAIT);
        assertThat(fdsAfter).as("open file descriptors (before the batch: %d)", fdsBefore).isLessThanOrEqualTo(fdsBefore);
        assertThat(server.connectionCount()).isEqualTo(connections);
    }

    /** Runs every attack at once, each on its own virtual thread, and rethrows the first failure. */
    private static void runBatch() throws Exception {
        int connections = server.connectionCount();
        List<Siege.Attack> attacks = List.of(HostileInputTest::garbageHandshake, HostileInputTest::hugeHeaderLine,
                HostileInputTest::hugeRequestLine, HostileInputTest::tenThousandHeaders,
                HostileInputTest::stopMidHandshake, HostileInputTest::trickleHandshake,
                HostileInputTest::stopMidFrame,
                HostileInputTest::largestLegalLength, HostileInputTest::lengthWithMsbSet,
                () -> endlessContinuations(4096), () -> endlessContinuations(0),
                HostileInputTest::unmaskedFrame, HostileInputTest::invalidUtf8AcrossFragments);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (Siege.Attack a : attacks) {
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

    /** The live duplex-read-* and duplex-conn-* threads; the ids in their names are unique. */
    private static Set<String> duplexThreads() {
        Set<String> names = new TreeSet<>();
        for (String name : ProcessResources.duplexThreads()) {
            if (name.matches("duplex-(read|conn)-\\d+")) {
                names.add(name);
            }
        }
        return names;
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
        refusedWhileWriting(431, RawAttacks.requestWithHeaders(10_000));
    }

    private static void refusedWhileWriting(int status, byte[]... head) throws Exception {
        RawAttacks.refusedWhileWriting(server.port(), status, CLOSE_TIMEOUT.plus(SLACK), head);
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
        // Never the final CRLF: the head stays incomplete however long this runs (150 bytes, about 7.5 s).
        Duration took = RawAttacks.trickleUntilHungUp(server.port(), Arrays.copyOf(request, request.length - 2),
                1, Duration.ofMillis(50));
        assertThat(took).isGreaterThanOrEqualTo(HANDSHAKE_TIMEOUT).isLessThan(HANDSHAKE_TIMEOUT.plus(SLACK));
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

    /** {@link RawAttacks#endlessContinuations}, far more frames than either limit needs, but bounded. */
    private static void endlessContinuations(int frameSize) throws Exception {
        int maxFrames = 10 * Math.max(MAX_FRAGMENTS, MAX_MESSAGE / Math.max(1, frameSize));
        RawAttacks.endlessContinuations(server.port(), frameSize, maxFrames, CLOSE_TIMEOUT.plus(SLACK));
    }

    private static void expectCloseAfter(int code, byte[] bytes) throws IOException {
        RawAttacks.expectCloseAfter(server.port(), code, CLOSE_TIMEOUT.plus(SLACK), bytes);
    }

    private static void expectClose(RawClient raw, int code) throws IOException {
        RawAttacks.expectClose(raw, code, CLOSE_TIMEOUT.plus(SLACK));
    }

    private static Integer mask() {
        return RawAttacks.mask();
    }

    private static byte[] ascii(String s) {
        return RawAttacks.ascii(s);
    }
}
