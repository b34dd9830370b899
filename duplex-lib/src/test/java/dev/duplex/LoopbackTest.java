package dev.duplex;

import dev.duplex.io.RawClient;
import dev.duplex.io.RawFrame;
import dev.duplex.io.RawServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.Loopback.asciiText;
import static dev.duplex.io.Loopback.awaitCondition;
import static dev.duplex.io.Loopback.clientOptions;
import static dev.duplex.io.Loopback.connect;
import static dev.duplex.io.Loopback.echo;
import static dev.duplex.io.Loopback.echoServer;
import static dev.duplex.io.Loopback.pattern;
import static dev.duplex.io.Loopback.receive;
import static dev.duplex.io.Loopback.serverOptions;
import static dev.duplex.io.Loopback.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Our client against our server over real loopback sockets: messages of every size and kind, fragments, concurrent
 * senders, the closing handshake in both directions, the upgrader, timeouts, select, and shutdown. Where a peer must
 * send something our library never would, a {@link RawClient} or {@link RawServer} plays that peer.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LoopbackTest {

    private static final int MIB = 1 << 20;
    /** Both sides accept the 16 MiB message, exactly at the limit. */
    private static final Limits BIG = dev.duplex.io.Loopback.LIMITS.withMaxMessageSize(16 * MIB)
            .withMaxFrameSize(16 * MIB);

    private static WebSocketServer bigEcho;

    @BeforeAll
    static void startEchoServer() throws IOException {
        bigEcho = echoServer(serverOptions().withLimits(BIG));
    }

    @AfterAll
    static void stopEchoServer() {
        if (bigEcho != null) {
            bigEcho.close();
        }
    }

    private static WebSocket connectBig() throws IOException {
        return WebSocket.connect(uri(bigEcho), Headers.EMPTY, clientOptions().withLimits(BIG));
    }

    // ---------------------------------------------------------------- messages echoed byte-identical

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 125, 126, 65535, 65536, MIB})
    void textMessagesOfEverySizeComeBackIdentical(int size) throws IOException {
        String text = asciiText(size);
        try (WebSocket ws = connectBig()) {
            ws.send(text);
            Message echo = receive(ws);
            assertThat(echo).isInstanceOf(Message.Text.class);
            // Compare as a boolean first: a failing 1 MiB string diff would drown the report.
            assertThat(((Message.Text) echo).text().equals(text)).as("the %d-byte text echoed unchanged", size).isTrue();
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 125, 126, 65535, 65536, MIB})
    void binaryMessagesOfEverySizeComeBackIdentical(int size) throws IOException {
        byte[] data = pattern(size, size);
        try (WebSocket ws = connectBig()) {
            ws.send(ByteBuffer.wrap(data));
            Message echo = receive(ws);
            assertThat(echo).isInstanceOf(Message.Binary.class);
            assertThat(((Message.Binary) echo).bytes()).as("the %d-byte binary echoed unchanged", size)
                    .isEqualTo(data);
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSixteenMebibyteBinaryMessageComesBackIdentical() throws IOException {
        byte[] data = pattern(16 * MIB, 16);
        try (WebSocket ws = connectBig()) {
            ws.send(ByteBuffer.wrap(data));
            Message echo = receiveWithin(ws, Duration.ofSeconds(30));
            assertThat(echo).isInstanceOf(Message.Binary.class);
            assertThat(java.util.Arrays.equals(((Message.Binary) echo).bytes(), data))
                    .as("16 MiB echoed unchanged").isTrue();
        }
    }

    @Test
    void multiByteUtf8TextComesBackUnchanged() throws IOException {
        // Two-, three- and four-byte sequences; the long one makes sequences straddle socket reads and frame headers.
        String small = "héllo wörld · € · 日本語 · 𝄞🎉";
        String large = small.repeat(20_000);
        try (WebSocket ws = connectBig()) {
            ws.send(small);
            ws.send(large);
            assertThat(receive(ws)).isEqualTo(Message.text(small));
            assertThat(receive(ws)).isEqualTo(Message.text(large));
        }
    }

    // ---------------------------------------------------------------- fragments

    @Test
    void aTextMessageInThreeFragmentsWithAPingBetweenIsEchoedWholeAfterThePong() throws IOException {
        try (RawClient raw = RawClient.open(bigEcho.port())) {
            raw.send(RawFrame.text(false, "Hel".getBytes(StandardCharsets.UTF_8)));
            raw.send(RawFrame.ping("are you there?"));
            raw.send(RawFrame.continuation(false, "lo, "));
            raw.send(RawFrame.continuation(true, "wörld"));

            // RFC 6455 §5.4: control frames may be injected in the middle of a fragmented message, and the pong is
            // not held back behind the message that was incomplete when the ping came.
            RawFrame pong = raw.readFrame();
            assertThat(pong.opcode()).isEqualTo(RawFrame.PONG);
            assertThat(pong.text()).isEqualTo("are you there?");
            RawFrame echo = raw.readFrame();
            assertThat(echo.opcode()).isEqualTo(RawFrame.TEXT);
            assertThat(echo.fin()).isTrue();
            assertThat(echo.text()).isEqualTo("Hello, wörld");
            closeCleanly(raw);
        }
    }

    @Test
    void aCharacterSplitAcrossThreeFragmentsIsReassembled() throws IOException {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // E2 82 AC
        try (RawClient raw = RawClient.open(bigEcho.port())) {
            raw.send(RawFrame.text(false, new byte[]{euro[0]}));
            raw.send(RawFrame.continuation(false, new byte[]{euro[1]}));
            raw.send(RawFrame.continuation(true, new byte[]{euro[2]}));
            RawFrame echo = raw.readFrame();
            assertThat(echo.opcode()).isEqualTo(RawFrame.TEXT);
            assertThat(echo.text()).isEqualTo("€");
            closeCleanly(raw);
        }
    }

    @Test
    void framesInTheSamePacketAsTheHandshakeRequestAreNotLost() throws IOException {
        try (RawClient raw = RawClient.connect(bigEcho.port())) {
            raw.handshake("/", RawFrame.text("early"), RawFrame.binary(new byte[]{1, 2, 3}));
            assertThat(raw.readFrame().text()).isEqualTo("early");
            assertThat(raw.readFrame().payload()).containsExactly(1, 2, 3);
            closeCleanly(raw);
        }
    }

    @Test
    void ourClientReceivesAFragmentedMessageWhole() throws Exception {
        byte[] first = pattern(1000, 1);
        byte[] second = pattern(70_000, 2);
        try (RawServer server = RawServer.start()) {
            FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(server.uri(), Headers.EMPTY,
                    clientOptions()));
            try (RawServer.Peer peer = server.accept();
                 WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                peer.send(RawFrame.text(false, "frag".getBytes(StandardCharsets.UTF_8)),
                        RawFrame.ping("between"),
                        RawFrame.continuation(false, "ment"),
                        RawFrame.continuation(false, new byte[0]),
                        RawFrame.continuation(true, "ed"),
                        RawFrame.binary(false, first),
                        RawFrame.continuation(true, second));

                assertThat(receive(ws)).isEqualTo(Message.text("fragmented"));
                Message binary = receive(ws);
                assertThat(binary).isInstanceOf(Message.Binary.class);
                assertThat(((Message.Binary) binary).bytes()).isEqualTo(concat(first, second));
                RawFrame pong = peer.readFrame();
                assertThat(pong.opcode()).isEqualTo(RawFrame.PONG);
                assertThat(pong.text()).isEqualTo("between");

                closeAgainst(ws, peer, CloseStatus.NORMAL_CLOSURE);
            }
        }
    }

    @Test
    void framesInTheSamePacketAsThe101ResponseAreNotLost() throws Exception {
        try (RawServer server = RawServer.start()) {
            FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(server.uri(), Headers.EMPTY,
                    clientOptions()));
            try (RawServer.Peer peer = server.accept(RawFrame.text("early"), RawFrame.text("bird"));
                 WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                assertThat(receive(ws)).isEqualTo(Message.text("early"));
                assertThat(receive(ws)).isEqualTo(Message.text("bird"));
                closeAgainst(ws, peer, CloseStatus.NORMAL_CLOSURE);
            }
        }
    }

    // ---------------------------------------------------------------- concurrent senders

    @Test
    void eightThreadsSendingAtOnceKeepEveryMessageWholeAndInOrderPerThread() throws Exception {
        int threads = 8;
        int perThread = 500;
        try (WebSocketServer server = echoServer(serverOptions()); WebSocket ws = connect(server)) {
            CountDownLatch go = new CountDownLatch(1);
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tid = t;
                senders.add(Thread.ofPlatform().name("sender-" + t).start(() -> {
                    try {
                        go.await();
                        for (int seq = 0; seq < perThread; seq++) {
                            ws.send(tagged(tid, seq));
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            go.countDown();

            int[] next = new int[threads];
            for (int i = 0; i < threads * perThread && failures.isEmpty(); i++) {
                Message m = receive(ws);
                assertThat(m).as("message %d", i).isNotNull();
                int[] tag = tagOf(m);
                int tid = tag[0];
                int seq = tag[1];
                assertThat(seq).as("sequence number from thread %d", tid).isEqualTo(next[tid]);
                next[tid]++;
                // Whole and unmixed: the message is exactly what that thread sent at that position.
                assertThat(m.toBytes()).as("message %d of thread %d", seq, tid).isEqualTo(tagged(tid, seq).toBytes());
            }
            for (Thread s : senders) {
                assertThat(s.join(WAIT)).as("%s finished", s.getName()).isTrue();
            }
            assertThat(failures).isEmpty();
            assertThat(next).containsOnly(perThread);
        }
    }

    /**
     * Message {@code seq} of sender {@code tid}: text or binary alternately, mostly small, every fiftieth over 64 KiB
     * so that the 64-bit length form is in the mix.
     */
    private static Message tagged(int tid, int seq) {
        Random r = new Random(tid * 1_000_003L + seq);
        int size = seq % 50 == 49 ? 65_536 + r.nextInt(5000) : r.nextInt(2000);
        if (seq % 2 == 0) {
            return Message.text("t" + tid + " s" + seq + " " + asciiText(size));
        }
        ByteBuffer b = ByteBuffer.allocate(8 + size).putInt(tid).putInt(seq).put(pattern(size, tid * 100_000 + seq));
        return Message.binary(b.flip());
    }

    private static int[] tagOf(Message m) {
        return switch (m) {
            case Message.Text t -> {
                String[] parts = t.text().split(" ", 3);
                yield new int[]{Integer.parseInt(parts[0].substring(1)), Integer.parseInt(parts[1].substring(1))};
            }
            case Message.Binary b -> new int[]{b.data().getInt(b.data().position()),
                    b.data().getInt(b.data().position() + 4)};
        };
    }

    // ---------------------------------------------------------------- the closing handshake

    /** How a server-side stream ended, as the handler saw it. */
    private record Ending(boolean cleanEnd, WebSocketException failure, CloseStatus status) {
    }

    /** Receives until the end of the stream, then reports how it ended. */
    private static Ending receiveToEnd(WebSocket ws) throws IOException {
        for (int i = 0; i < 10_000; i++) {
            try {
                if (ws.receive() == null) {
                    return new Ending(true, null, ws.closeStatus().orElse(null));
                }
            } catch (WebSocketException e) {
                return new Ending(false, e, ws.closeStatus().orElse(null));
            }
        }
        throw new AssertionError("no end of stream after 10,000 messages");
    }

    @Test
    void aClientCloseWith1000EndsTheServersStreamCleanly() throws Exception {
        CompletableFuture<Ending> seen = new CompletableFuture<>();
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), (ws, s) -> seen.complete(receiveToEnd(ws)))) {
            WebSocket ws = connect(server);
            ws.close();
            Ending ending = seen.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(ending.cleanEnd()).as("server's receive() returned null").isTrue();
            assertThat(ending.status().code()).isEqualTo(1000);
            assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1000);
            assertThat(ws.isClosed()).isTrue();
            // This side started the close: its own stream ends cleanly too.
            assertThat(ws.receive()).isNull();
        }
    }

    @Test
    void aClientCloseWith4000ReachesTheServerAsAFailureCarryingTheCodeAndReason() throws Exception {
        CompletableFuture<Ending> seen = new CompletableFuture<>();
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), (ws, s) -> seen.complete(receiveToEnd(ws)))) {
            WebSocket ws = connect(server);
            ws.close(CloseStatus.of(4000, "bye"));
            Ending ending = seen.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // Only 1000, 1001 and 1005 are a clean end; a peer's 4000 is reported as a failure with its status.
            assertThat(ending.cleanEnd()).isFalse();
            assertThat(ending.failure().status()).isEqualTo(CloseStatus.of(4000, "bye"));
            assertThat(ending.status()).isEqualTo(CloseStatus.of(4000, "bye"));
            // The server echoes the code (RFC 6455 §5.5.1); for the client that started the close, it is still clean.
            assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(4000);
            assertThat(ws.receive()).isNull();
        }
    }

    @Test
    void aServerCloseWith1001EndsTheClientsStreamCleanly() throws Exception {
        try (WebSocketServer server = WebSocketServer.start(serverOptions(),
                (ws, s) -> ws.close(CloseStatus.GOING_AWAY)); WebSocket ws = connect(server)) {
            assertThat(receive(ws)).isNull();
            assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1001);
            assertThat(ws.isClosed()).isTrue();
        }
    }

    @Test
    void aServerCloseWith4001ReachesTheClientAsAFailureCarryingTheCodeAndReason() throws Exception {
        try (WebSocketServer server = WebSocketServer.start(serverOptions(),
                (ws, s) -> ws.close(CloseStatus.of(4001, "later"))); WebSocket ws = connect(server)) {
            assertThatThrownBy(() -> receive(ws)).isInstanceOfSatisfying(WebSocketException.class,
                    e -> assertThat(e.status()).isEqualTo(CloseStatus.of(4001, "later")));
            assertThat(ws.closeStatus()).hasValue(CloseStatus.of(4001, "later"));
        }
    }

    @Test
    void aHandlerThatReturnsClosesWith1000() throws Exception {
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), (ws, s) -> { });
             WebSocket ws = connect(server)) {
            assertThat(receive(ws)).isNull();
            assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1000);
        }
    }

    @Test
    void aHandlerThatThrowsClosesWith1011() throws Exception {
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), (ws, s) -> {
            throw new IllegalStateException("the handler broke (on purpose, in a test)");
        }); WebSocket ws = connect(server)) {
            assertThatThrownBy(() -> receive(ws)).isInstanceOfSatisfying(WebSocketException.class,
                    e -> assertThat(e.status().code()).isEqualTo(1011));
            assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1011);
        }
    }

    @Test
    void aCloseWithoutAStatusCodeEndsOurClientsStreamCleanlyWith1005() throws Exception {
        try (RawServer server = RawServer.start()) {
            FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(server.uri(), Headers.EMPTY,
                    clientOptions()));
            try (RawServer.Peer peer = server.accept();
                 WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                peer.send(RawFrame.text("last"), new RawFrame(true, 0, RawFrame.CLOSE, new byte[0]));
                assertThat(receive(ws)).isEqualTo(Message.text("last"));
                assertThat(receive(ws)).isNull();
                assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1005);
                // RFC 6455 §5.5.1: the reply echoes the (absent) status, so it is an empty Close too.
                RawFrame reply = peer.readUntilClose();
                assertThat(reply.payload()).isEmpty();
                peer.shutdownOutput();
                peer.readToEof(WAIT);
            }
        }
    }

    @Test
    void aConnectionThatEndsWithoutAClosingHandshakeIsAFailureWith1006() throws Exception {
        try (RawServer server = RawServer.start()) {
            FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(server.uri(), Headers.EMPTY,
                    clientOptions()));
            try (RawServer.Peer peer = server.accept();
                 WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                peer.send(RawFrame.text("last"));
                peer.shutdownOutput();
                // Messages before the end come first; then the end, which was no closing handshake.
                assertThat(receive(ws)).isEqualTo(Message.text("last"));
                assertThatThrownBy(() -> receive(ws)).isInstanceOfSatisfying(WebSocketException.class,
                        e -> assertThat(e.status().code()).isEqualTo(1006));
                assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1006);
                assertThat(ws.isClosed()).isTrue();
                peer.readToEof(WAIT);
            }
        }
    }

    // ---------------------------------------------------------------- the upgrader

    @Test
    void extraResponseHeadersFromTheUpgraderReachTheClient() throws Exception {
        Upgrader<Void> upgrader = request -> Upgrade.accept(Headers.of("X-Served-By", "duplex-test",
                "Set-Cookie", "a=1"), null);
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), upgrader, echo());
             WebSocket ws = connect(server)) {
            assertThat(ws.headers().first("x-served-by")).hasValue("duplex-test");
            assertThat(ws.headers().first("Set-Cookie")).hasValue("a=1");
            assertThat(ws.startLine()).startsWith("HTTP/1.1 101");
        }
    }

    @Test
    void theUpgradersStateReachesTheHandler() throws Exception {
        record Session(String user) {
        }
        CompletableFuture<Session> handed = new CompletableFuture<>();
        Upgrader<Session> upgrader = request -> Upgrade.accept(Headers.EMPTY, new Session("ada"));
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), upgrader,
                (ws, session) -> handed.complete(session)); WebSocket ws = connect(server)) {
            assertThat(handed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(new Session("ada"));
            assertThat(receive(ws)).as("the handler returned").isNull();
        }
    }

    @Test
    void theRequestIsVisibleToTheUpgraderAndOnTheServerSideConnection() throws Exception {
        CompletableFuture<HandshakeRequest> asked = new CompletableFuture<>();
        CompletableFuture<String> startLine = new CompletableFuture<>();
        CompletableFuture<Headers> headers = new CompletableFuture<>();
        Upgrader<Void> upgrader = request -> {
            asked.complete(request);
            return Upgrade.accept();
        };
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), upgrader, (ws, s) -> {
            startLine.complete(ws.startLine());
            headers.complete(ws.headers());
        })) {
            String target = "/chat/room%201?user=ada&x=%2F";
            try (WebSocket ws = WebSocket.connect(uri(server.port(), target),
                    Headers.of("X-Client", "loopback-test", "Origin", "http://127.0.0.1:" + server.port()),
                    clientOptions())) {
                HandshakeRequest request = asked.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(request.startLine()).isEqualTo("GET " + target + " HTTP/1.1");
                assertThat(request.method()).isEqualTo("GET");
                assertThat(request.target()).isEqualTo(target);
                assertThat(request.path()).isEqualTo("/chat/room%201");
                assertThat(request.query()).isEqualTo("user=ada&x=%2F");
                assertThat(request.headers().first("Host")).hasValue("127.0.0.1:" + server.port());
                assertThat(request.headers().first("x-client")).hasValue("loopback-test");
                assertThat(request.headers().first("Origin")).hasValue("http://127.0.0.1:" + server.port());

                assertThat(startLine.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("GET " + target + " HTTP/1.1");
                Headers seen = headers.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(seen.first("X-Client")).hasValue("loopback-test");
                assertThat(seen.first("Sec-WebSocket-Version")).hasValue("13");
                assertThat(receive(ws)).as("the handler returned").isNull();
            }
        }
    }

    @Test
    void anUpgraderRejectionReachesTheClientAsAHandshakeExceptionWithItsStatus() throws Exception {
        Upgrader<Void> upgrader = request -> Upgrade.reject(403, "not you");
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), upgrader, echo())) {
            assertThatThrownBy(() -> connect(server)).isInstanceOfSatisfying(HandshakeException.class,
                    e -> assertThat(e.status()).isEqualTo(403));
            assertThat(server.connectionCount()).isZero();
        }
    }

    @Test
    void anUpgraderThatThrowsIsAnsweredWith500() throws Exception {
        Upgrader<Void> upgrader = request -> {
            throw new IllegalStateException("the upgrader broke (on purpose, in a test)");
        };
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), upgrader, echo())) {
            assertThatThrownBy(() -> connect(server)).isInstanceOfSatisfying(HandshakeException.class,
                    e -> assertThat(e.status()).isEqualTo(500));
        }
    }

    /** A client that fails fast if the server never answers its handshake. */
    private static final ClientOptions IMPATIENT = clientOptions()
            .withLimits(dev.duplex.io.Loopback.LIMITS.withHandshakeTimeout(Duration.ofSeconds(2)));

    @Test
    void anUpgraderThatThrowsAnErrorIsAnsweredWith500() throws Exception {
        // Upgrader: "If it throws, the client gets 500." An Error is thrown too, and the handler side already
        // treats any Throwable as 1011.
        Upgrader<Void> upgrader = request -> {
            throw new AssertionError("the upgrader broke (on purpose, in a test)");
        };
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), upgrader, echo())) {
            expect500(server);
        }
    }

    @Test
    void anUpgraderThatReturnsNullIsAnsweredWith500() throws Exception {
        // A bug in the application, not the client's fault: an internal server error, not a hung handshake.
        Upgrader<Void> upgrader = request -> null;
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), upgrader, echo())) {
            expect500(server);
        }
    }

    private static void expect500(WebSocketServer server) {
        Throwable thrown = catchThrowable(() -> WebSocket.connect(uri(server), Headers.EMPTY, IMPATIENT).close());
        assertThat(thrown).as("what connect() threw").isInstanceOf(HandshakeException.class);
        assertThat(((HandshakeException) thrown).status()).isEqualTo(500);
    }

    // ---------------------------------------------------------------- timeouts

    @Test
    void aSilentConnectionIsClosedWith1001AfterTheServersIdleTimeout() throws Exception {
        Duration idle = Duration.ofMillis(500);
        try (WebSocketServer server = echoServer(serverOptions().withIdleTimeout(idle));
             WebSocket ws = connect(server)) {
            long start = System.nanoTime();
            assertThat(receive(ws)).isNull(); // 1001 is a clean end
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1001);
            assertThat(took).isLessThan(idle.plusSeconds(3));
            awaitCondition("the server has no connection left", WAIT, () -> server.connectionCount() == 0);
        }
    }

    @Test
    void aSilentConnectionIsClosedWith1001AfterTheClientsIdleTimeout() throws Exception {
        Duration idle = Duration.ofMillis(500);
        CompletableFuture<Ending> seen = new CompletableFuture<>();
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), (ws, s) -> seen.complete(receiveToEnd(ws)));
             WebSocket ws = WebSocket.connect(uri(server), Headers.EMPTY, clientOptions().withIdleTimeout(idle))) {
            long start = System.nanoTime();
            assertThat(receive(ws)).isNull();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1001);
            assertThat(took).isLessThan(idle.plusSeconds(3));
            Ending ending = seen.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(ending.cleanEnd()).isTrue();
            assertThat(ending.status().code()).isEqualTo(1001);
        }
    }

    @Test
    void trafficKeepsAConnectionOpenPastTheIdleTimeout() throws Exception {
        Duration idle = Duration.ofMillis(600);
        try (WebSocketServer server = echoServer(serverOptions().withIdleTimeout(idle));
             WebSocket ws = WebSocket.connect(uri(server), Headers.EMPTY, clientOptions().withIdleTimeout(idle))) {
            long start = System.nanoTime();
            // Three idle timeouts' worth of time, with a message every 150 ms.
            for (int i = 0; i < 100 && System.nanoTime() - start < 3 * idle.toNanos(); i++) {
                ws.send("keep-alive " + i);
                assertThat(receive(ws)).isEqualTo(Message.text("keep-alive " + i));
                // The pause doubles as a check: nothing, not even an end of stream, arrives meanwhile.
                assertThat(WebSocket.select(List.of(ws), Duration.ofMillis(150))).isEmpty();
            }
            assertThat(ws.isClosed()).isFalse();
            assertThat(ws.closeStatus()).isEmpty();
        }
    }

    @Test
    void maxLifetimeClosesEvenABusyConnectionWith1001() throws Exception {
        Duration lifetime = Duration.ofMillis(800);
        try (WebSocketServer server = echoServer(serverOptions().withMaxLifetime(lifetime));
             WebSocket ws = connect(server)) {
            long start = System.nanoTime();
            int echoes = 0;
            boolean ended = false;
            for (int i = 0; i < 200 && !ended && System.nanoTime() - start < WAIT.toNanos(); i++) {
                try {
                    ws.send("tick " + i);
                } catch (WebSocketException e) {
                    break; // the close has begun; what is left is the end of the stream
                }
                Message m = receive(ws);
                if (m == null) {
                    ended = true;
                } else {
                    echoes++;
                    WebSocket.select(List.of(ws), Duration.ofMillis(50)); // returns at once if the stream ends
                }
            }
            for (int i = 0; i < 200 && !ended; i++) {
                ended = receive(ws) == null;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(ended).as("the stream ended cleanly").isTrue();
            assertThat(echoes).as("echoes before the lifetime ran out").isGreaterThanOrEqualTo(3);
            assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1001);
            assertThat(took).isGreaterThanOrEqualTo(lifetime.minusMillis(50)).isLessThan(lifetime.plusSeconds(3));
        }
    }

    @Test
    void maxLifetimeClosesAConnectionWhoseHandlerHasStoppedReceiving() throws Exception {
        Duration lifetime = Duration.ofMillis(800);
        CountDownLatch release = new CountDownLatch(1);
        Handler<Void> stuck = (ws, s) -> {
            ws.receive();
            release.await(); // busy elsewhere: takes nothing more from this connection until released
        };
        try (WebSocketServer server = WebSocketServer.start(serverOptions().withMaxLifetime(lifetime), stuck);
             WebSocket ws = connect(server)) {
            try {
                long start = System.nanoTime();
                // More than the server's inbox holds: its reader now waits for room, and TCP pushes back.
                for (int i = 0; i < 3 * dev.duplex.io.Loopback.LIMITS.inboxDepth(); i++) {
                    ws.send("message " + i);
                }
                // A cap on the connection's life holds whatever the handler is doing: Close 1001 at the cap.
                assertThat(receiveWithin(ws, lifetime.plusSeconds(3))).isNull();
                assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1001);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(lifetime.plusSeconds(3));
            } finally {
                release.countDown();
            }
        }
    }

    // ---------------------------------------------------------------- select

    @Test
    void selectReturnsTheConnectionThatHasAMessageWithoutConsumingIt() throws Exception {
        try (WebSocketServer server = echoServer(serverOptions());
             WebSocket a = connect(server); WebSocket b = connect(server); WebSocket c = connect(server)) {
            List<WebSocket> all = List.of(a, b, c);
            b.send("for b");
            assertThat(WebSocket.select(all, WAIT)).containsSame(b);
            assertThat(WebSocket.select(all, WAIT)).as("still ready: select consumed nothing").containsSame(b);
            assertThat(b.receive()).isEqualTo(Message.text("for b"));
        }
    }

    @Test
    void selectReturnsEmptyAfterTheTimeoutWhenNothingIsReady() throws Exception {
        try (WebSocketServer server = echoServer(serverOptions());
             WebSocket a = connect(server); WebSocket b = connect(server)) {
            Duration timeout = Duration.ofMillis(200);
            long start = System.nanoTime();
            assertThat(WebSocket.select(List.of(a, b), timeout)).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(timeout);
        }
    }

    @Test
    void selectReturnsAConnectionThatHasReachedItsEnd() throws Exception {
        Handler<Void> closeOnRequest = (ws, s) -> {
            for (Message m; (m = ws.receive()) != null && !m.equals(Message.text("close me")); ) {
                ws.send(m);
            }
        };
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), closeOnRequest);
             WebSocket a = connect(server); WebSocket b = connect(server)) {
            b.send("close me");
            assertThat(WebSocket.select(List.of(a, b), WAIT)).containsSame(b);
            assertThat(b.receive()).isNull();
            assertThat(b.closeStatus()).map(CloseStatus::code).hasValue(1000);
        }
    }

    // ---------------------------------------------------------------- the server's life

    @Test
    void serverCloseClosesEveryClientWith1001AndReturnsOnceTheyAreGone() throws Exception {
        WebSocketServer server = echoServer(serverOptions());
        List<WebSocket> clients = new ArrayList<>();
        List<FutureTask<Ending>> endings = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                WebSocket ws = connect(server);
                clients.add(ws);
                ws.send("hello " + i);
                assertThat(receive(ws)).isEqualTo(Message.text("hello " + i));
                // Each client is in receive(), as an application waiting for its next message would be.
                endings.add(inBackground(() -> receiveToEnd(ws)));
            }
            assertThat(server.connectionCount()).isEqualTo(3);

            long start = System.nanoTime();
            server.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(server.connectionCount()).as("connections left when close() returned").isZero();
            // Every client answered at once, so no closing handshake should have waited for its timeout.
            assertThat(took).isLessThan(dev.duplex.io.Loopback.LIMITS.closeTimeout());
            for (int i = 0; i < clients.size(); i++) {
                Ending ending = endings.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(ending.cleanEnd()).as("client %d's receive() returned null", i).isTrue();
                assertThat(clients.get(i).closeStatus()).map(CloseStatus::code).hasValue(1001);
            }
            assertThatThrownBy(() -> connect(server)).isInstanceOf(ConnectException.class);
        } finally {
            server.close();
            for (WebSocket ws : clients) {
                ws.close();
            }
        }
    }

    @Test
    void aSecondServerCloseIsHarmless() throws Exception {
        WebSocketServer server = echoServer(serverOptions());
        try (WebSocket ws = connect(server)) {
            FutureTask<Ending> ending = inBackground(() -> receiveToEnd(ws));
            server.close();
            long start = System.nanoTime();
            server.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(server.connectionCount()).isZero();
            assertThat(ending.get(WAIT.toSeconds(), TimeUnit.SECONDS).cleanEnd()).isTrue();
        }
    }

    @Test
    void serverCloseReturnsInBoundedTimeEvenWhenAClientHasStoppedReading() throws Exception {
        int inbox = dev.duplex.io.Loopback.LIMITS.inboxDepth();
        CountDownLatch sent = new CountDownLatch(inbox + 1);
        byte[] chunk = new byte[MIB];
        Handler<Void> flood = (ws, s) -> {
            for (int i = 0; i < 256; i++) {
                ws.send(ByteBuffer.wrap(chunk));
                sent.countDown();
            }
        };
        WebSocketServer server = WebSocketServer.start(serverOptions(), flood);
        try (WebSocket ws = connect(server)) {
            // One message more than the client's inbox holds: its reader has stopped, and TCP is filling up.
            assertThat(sent.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            server.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // A send stuck on a full socket may hold the closing handshake for the close timeout, then the
            // connection is dropped (Connection.flushWithin); the waits around it add about a second.
            assertThat(took).isLessThan(dev.duplex.io.Loopback.LIMITS.closeTimeout().plusSeconds(3));
            assertThat(server.connectionCount()).isZero();

            // The client still gets what reached it, then the end: 1006 if the server's Close was stuck behind
            // the message it could not finish, a clean 1001 if the Close got out first.
            boolean ended = false;
            for (int i = 0; i < 300 && !ended; i++) {
                try {
                    ended = receive(ws) == null;
                    if (ended) {
                        assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1001);
                    }
                } catch (WebSocketException e) {
                    assertThat(e.status().code()).isEqualTo(1006);
                    ended = true;
                }
            }
            assertThat(ended).as("the client's stream ended").isTrue();
        } finally {
            server.close();
        }
    }

    @Test
    void portIsTheBoundPortWhenPortZeroWasAsked() throws Exception {
        try (WebSocketServer server = echoServer(serverOptions().withPort(0))) {
            assertThat(server.port()).isBetween(1, 65535);
            // Something really listens there.
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            }
            try (WebSocket ws = connect(server)) {
                ws.send("on port " + server.port());
                assertThat(receive(ws)).isEqualTo(Message.text("on port " + server.port()));
            }
        }
    }

    @Test
    void startingOnAPortInUseThrowsTheBindError() throws Exception {
        try (WebSocketServer first = echoServer(serverOptions())) {
            assertThatThrownBy(() -> echoServer(serverOptions().withPort(first.port())))
                    .isInstanceOf(BindException.class);
            try (WebSocket ws = connect(first)) {
                ws.send("still serving");
                assertThat(receive(ws)).isEqualTo(Message.text("still serving"));
            }
        }
    }

    // ---------------------------------------------------------------- ping, receive, misuse

    @Test
    void aPingFromOurClientIsAnsweredByOurServerWithoutDeliveringAMessage() throws Exception {
        BlockingQueue<Message> serverGot = new LinkedBlockingQueue<>();
        Handler<Void> recordingEcho = (ws, s) -> {
            for (Message m; (m = ws.receive()) != null; ) {
                serverGot.add(m);
                ws.send(m);
            }
        };
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), recordingEcho);
             WebSocket ws = connect(server)) {
            ws.ping(ByteBuffer.wrap("are you there?".getBytes(StandardCharsets.UTF_8)));
            ws.send("after the ping");
            // Neither the ping (on the server) nor its pong (on the client) became a message.
            assertThat(receive(ws)).isEqualTo(Message.text("after the ping"));
            assertThat(serverGot).containsExactly(Message.text("after the ping"));
        }
    }

    @Test
    void pingsBetweenOurClientAndARawServerAreAnsweredAndDeliverNoMessage() throws Exception {
        try (RawServer server = RawServer.start()) {
            FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(server.uri(), Headers.EMPTY,
                    clientOptions()));
            try (RawServer.Peer peer = server.accept();
                 WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                ws.ping(ByteBuffer.wrap("from the client".getBytes(StandardCharsets.UTF_8)));
                RawFrame ping = peer.readFrame();
                assertThat(ping.opcode()).isEqualTo(RawFrame.PING);
                assertThat(ping.text()).isEqualTo("from the client");

                peer.send(RawFrame.pong(ping.payload()), RawFrame.ping("from the server"), RawFrame.text("next"));
                assertThat(receive(ws)).isEqualTo(Message.text("next"));
                RawFrame pong = peer.readFrame();
                assertThat(pong.opcode()).isEqualTo(RawFrame.PONG);
                assertThat(pong.text()).isEqualTo("from the server");
                closeAgainst(ws, peer, CloseStatus.NORMAL_CLOSURE);
            }
        }
    }

    @Test
    void aPingPayloadOver125BytesIsRefused() throws Exception {
        try (WebSocketServer server = echoServer(serverOptions()); WebSocket ws = connect(server)) {
            assertThatThrownBy(() -> ws.ping(ByteBuffer.allocate(126))).isInstanceOf(IllegalArgumentException.class);
            ws.send("still open");
            assertThat(receive(ws)).isEqualTo(Message.text("still open"));
        }
    }

    @Test
    void aSecondConcurrentReceiveThrowsIllegalStateException() throws Exception {
        try (WebSocketServer server = echoServer(serverOptions()); WebSocket ws = connect(server)) {
            AtomicReference<Object> firstGot = new AtomicReference<>();
            Thread first = Thread.ofPlatform().name("first-receiver").start(() -> {
                try {
                    firstGot.set(ws.receive());
                } catch (Throwable e) {
                    firstGot.set(e);
                }
            });
            // The first receiver must be parked inside receive() before the second one tries.
            awaitCondition("the first receiver is blocked in receive()", WAIT,
                    () -> first.getState() == Thread.State.WAITING && java.util.Arrays.stream(first.getStackTrace())
                            .anyMatch(f -> f.getMethodName().equals("receive")));
            assertThatThrownBy(ws::receive).isInstanceOf(IllegalStateException.class);

            ws.send("for the first receiver");
            assertThat(first.join(WAIT)).isTrue();
            assertThat(firstGot.get()).isEqualTo(Message.text("for the first receiver"));
        }
    }

    @Test
    void sendAfterCloseThrowsWebSocketException() throws Exception {
        try (WebSocketServer server = echoServer(serverOptions())) {
            WebSocket ws = connect(server);
            ws.close();
            assertThatThrownBy(() -> ws.send("too late")).isInstanceOf(WebSocketException.class);
            assertThatThrownBy(() -> ws.send(ByteBuffer.allocate(3))).isInstanceOf(WebSocketException.class);
        }
    }

    @Test
    void closingTwiceIsHarmless() throws Exception {
        try (WebSocketServer server = echoServer(serverOptions())) {
            WebSocket ws = connect(server);
            ws.close();
            long start = System.nanoTime();
            ws.close();
            ws.close(CloseStatus.GOING_AWAY);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1000);
            assertThat(ws.receive()).isNull();
        }
    }

    @Test
    void closingWithALocalOnlyStatusIsRefused() throws Exception {
        try (WebSocketServer server = echoServer(serverOptions()); WebSocket ws = connect(server)) {
            assertThatThrownBy(() -> ws.close(CloseStatus.NO_STATUS_RCVD)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ws.close(CloseStatus.ABNORMAL_CLOSURE))
                    .isInstanceOf(IllegalArgumentException.class);
            // Refusing left the connection open.
            ws.send("still open");
            assertThat(receive(ws)).isEqualTo(Message.text("still open"));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Message receiveWithin(WebSocket ws, Duration timeout) throws IOException {
        return dev.duplex.io.Loopback.receiveWithin(ws, timeout);
    }

    private static <T> FutureTask<T> inBackground(Callable<T> task) {
        FutureTask<T> future = new FutureTask<>(task);
        Thread.ofVirtual().name("test-background").start(future);
        return future;
    }

    /** Ends a raw client's connection the polite way: Close 1000, the server's Close back, then its end of stream. */
    private static void closeCleanly(RawClient raw) throws IOException {
        raw.send(RawFrame.close(1000, ""));
        RawFrame reply = raw.readUntilClose();
        assertThat(reply.closeCode()).isEqualTo(1000);
        raw.readToEof(WAIT);
    }

    /** Closes our client while the raw server answers; returns once both sides are done. */
    private static void closeAgainst(WebSocket ws, RawServer.Peer peer, CloseStatus status) throws Exception {
        FutureTask<Void> closing = inBackground(() -> {
            ws.close(status);
            return null;
        });
        RawFrame close = peer.answerClose(WAIT);
        assertThat(close.closeCode()).isEqualTo(status.code());
        closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(status.code());
        assertThat(ws.receive()).isNull();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
