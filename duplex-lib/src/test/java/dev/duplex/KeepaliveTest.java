package dev.duplex;

import dev.duplex.io.RawClient;
import dev.duplex.io.RawFrame;
import dev.duplex.io.RawServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.Loopback.awaitCondition;
import static dev.duplex.io.Loopback.clientOptions;
import static dev.duplex.io.Loopback.echoServer;
import static dev.duplex.io.Loopback.inBackground;
import static dev.duplex.io.Loopback.receive;
import static dev.duplex.io.Loopback.receiveWithin;
import static dev.duplex.io.Loopback.serverOptions;
import static dev.duplex.io.Loopback.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Keepalive on both sides (a Ping after the ping interval with nothing received, Close 1011 when nothing at all
 * comes back within the pong timeout), and the connect timeout.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KeepaliveTest {

    private static final Duration PING_INTERVAL = Duration.ofMillis(200);
    private static final Duration PONG_TIMEOUT = Duration.ofMillis(300);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    /** What a timeout may overrun by on two busy cores before the test calls it a failure. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    private static final Limits LIMITS = dev.duplex.io.Loopback.LIMITS.withCloseTimeout(CLOSE_TIMEOUT);

    private static WebSocketServer keepaliveEchoServer() throws IOException {
        return echoServer(serverOptions().withLimits(LIMITS).withPingInterval(PING_INTERVAL)
                .withPongTimeout(PONG_TIMEOUT));
    }

    private static ClientOptions keepaliveClient() {
        return clientOptions().withLimits(LIMITS).withPingInterval(PING_INTERVAL).withPongTimeout(PONG_TIMEOUT);
    }

    // ---------------------------------------------------------------- the server's keepalive

    @Test
    void aClientThatNeverAnswersPingsGetsClose1011AndIsDropped() throws Exception {
        try (WebSocketServer server = keepaliveEchoServer(); RawClient raw = RawClient.open(server.port())) {
            raw.setReadTimeout(PING_INTERVAL.plus(PONG_TIMEOUT).plus(SLACK));
            long start = System.nanoTime();
            RawFrame ping = raw.readFrame();
            assertThat(ping.opcode()).as("the first frame after a silent interval").isEqualTo(RawFrame.PING);
            RawFrame close = raw.readUntilClose();
            assertThat(close.closeCode()).isEqualTo(1011);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time until the Close")
                    .isLessThan(PING_INTERVAL.plus(PONG_TIMEOUT).plus(SLACK));
            // The client does not answer the Close either: the server drops it after the close timeout.
            raw.readToEof(CLOSE_TIMEOUT.plus(SLACK));
            awaitCondition("the server has no connection left", WAIT, () -> server.connectionCount() == 0);
        }
    }

    @Test
    void aClientThatAnswersEveryPingIsPingedAtTheIntervalAndStaysOpen() throws Exception {
        try (WebSocketServer server = keepaliveEchoServer(); RawClient raw = RawClient.open(server.port())) {
            long start = System.nanoTime();
            long until = start + 6 * PING_INTERVAL.toNanos();
            int pings = 0;
            for (int i = 0; i < 100 && System.nanoTime() - until < 0; i++) {
                raw.setReadTimeout(Duration.ofNanos(Math.max(1_000_000, until - System.nanoTime())));
                RawFrame frame;
                try {
                    frame = raw.readFrame();
                } catch (SocketTimeoutException e) {
                    break;
                }
                assertThat(frame.opcode()).as("frame %s from the server", frame).isEqualTo(RawFrame.PING);
                pings++;
                raw.send(RawFrame.pong(frame.payload()));
            }
            // About one Ping per interval; at least three in six intervals leaves room for a busy machine.
            assertThat(pings).as("pings in %s", PING_INTERVAL.multipliedBy(6)).isGreaterThanOrEqualTo(3);
            raw.setReadTimeout(WAIT);
            raw.send(RawFrame.text("still open"));
            RawFrame echo = raw.readFrame();
            for (int i = 0; i < 10 && echo.opcode() == RawFrame.PING; i++) {
                raw.send(RawFrame.pong(echo.payload()));
                echo = raw.readFrame();
            }
            assertThat(echo.opcode()).isEqualTo(RawFrame.TEXT);
            assertThat(echo.text()).isEqualTo("still open");
            assertThat(server.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void ourClientStaysOpenPastSeveralPingIntervalsAndItsMessagesStillEcho() throws Exception {
        try (WebSocketServer server = keepaliveEchoServer();
             WebSocket ws = WebSocket.connect(uri(server), Headers.EMPTY, clientOptions().withLimits(LIMITS))) {
            for (int round = 0; round < 3; round++) {
                // Two intervals plus the pong timeout with nothing from the application: only Pings and Pongs.
                assertThat(WebSocket.select(List.of(ws), PING_INTERVAL.multipliedBy(2).plus(PONG_TIMEOUT)))
                        .as("nothing delivered, and no end, in round %d", round).isEmpty();
                ws.send("round " + round);
                assertThat(receive(ws)).isEqualTo(Message.text("round " + round));
            }
            assertThat(ws.isClosed()).isFalse();
            assertThat(server.connectionCount()).isEqualTo(1);
        }
    }

    // ---------------------------------------------------------------- the client's keepalive

    @Test
    void ourClientFailsWith1011WhenTheServerNeverAnswersItsPings() throws Exception {
        try (RawServer server = RawServer.start()) {
            FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(server.uri(), Headers.EMPTY,
                    keepaliveClient()));
            try (RawServer.Peer peer = server.accept()) {
                WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                long start = System.nanoTime();
                // A dead peer: it reads (TCP keeps accepting) but answers nothing, not even the Close.
                Duration bound = PING_INTERVAL.plus(PONG_TIMEOUT).plus(CLOSE_TIMEOUT).plus(SLACK);
                Throwable thrown = catchThrowable(() -> receiveWithin(ws, bound));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(bound);

                RawFrame ping = peer.readFrame();
                assertThat(ping.opcode()).isEqualTo(RawFrame.PING);
                RawFrame close = peer.readUntilClose();
                assertThat(close.closeCode()).as("the client's Close on the wire").isEqualTo(1011);

                assertThat(thrown).as("what receive() threw").isInstanceOf(WebSocketException.class);
                assertThat(((WebSocketException) thrown).status().code()).as("the status receive() reports")
                        .isEqualTo(1011);
                assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1011);
            }
        }
    }

    @Test
    void ourClientEndsWith1011WhenTheServerAnswersOnlyItsClose() throws Exception {
        try (RawServer server = RawServer.start()) {
            FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(server.uri(), Headers.EMPTY,
                    keepaliveClient()));
            try (RawServer.Peer peer = server.accept()) {
                WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                peer.setReadTimeout(PING_INTERVAL.plus(PONG_TIMEOUT).plus(SLACK));
                assertThat(peer.readFrame().opcode()).isEqualTo(RawFrame.PING);
                assertThat(peer.answerClose(WAIT).closeCode()).as("the client's Close").isEqualTo(1011);

                Throwable thrown = catchThrowable(() -> assertThat(receiveWithin(ws, WAIT)).isNull());
                if (thrown != null) {
                    assertThat(thrown).isInstanceOfSatisfying(WebSocketException.class,
                            e -> assertThat(e.status().code()).isEqualTo(1011));
                }
                assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1011);
            }
        }
    }

    @Test
    void ourClientStaysOpenAgainstOurServerAcrossManyPingIntervals() throws Exception {
        try (WebSocketServer server = echoServer(serverOptions().withLimits(LIMITS));
             WebSocket ws = WebSocket.connect(uri(server), Headers.EMPTY, keepaliveClient())) {
            assertThat(WebSocket.select(List.of(ws), PING_INTERVAL.multipliedBy(5))).isEmpty();
            ws.send("alive");
            assertThat(receive(ws)).isEqualTo(Message.text("alive"));
            assertThat(ws.isClosed()).isFalse();
        }
    }

    // ---------------------------------------------------------------- legacy framings have no ping

    @Test
    void withTheOldFramingKeepaliveIsSilentlyOff() throws Exception {
        Duration interval = Duration.ofMillis(100);
        Duration pongTimeout = Duration.ofMillis(150);
        ServerOptions options = serverOptions().withFraming(Framing.OLD).withOriginPolicy(OriginPolicy.any())
                .withPingInterval(interval).withPongTimeout(pongTimeout);
        // hixie-76 responses carry the page's origin and the socket's location.
        Upgrader<Void> upgrader = request -> Upgrade.accept(Headers.of(
                "Sec-WebSocket-Origin", request.headers().first("Origin").orElse(""),
                "Sec-WebSocket-Location", "ws://" + request.headers().first("Host").orElseThrow()
                        + request.target()), null);
        try (WebSocketServer server = WebSocketServer.start(options, upgrader, dev.duplex.io.Loopback.echo());
             WebSocket ws = WebSocket.connect(URI.create("ws://127.0.0.1:" + server.port() + "/old"),
                     Headers.of("Origin", "http://example.com"), clientOptions().withFraming(Framing.OLD)
                             .withPingInterval(interval).withPongTimeout(pongTimeout))) {
            // Eight intervals: a keepalive that tried to ping, or waited for a pong, would have closed by now.
            assertThat(WebSocket.select(List.of(ws), interval.multipliedBy(8))).isEmpty();
            ws.send("no ping in 2010");
            assertThat(receive(ws)).isEqualTo(Message.text("no ping in 2010"));
            assertThat(ws.isClosed()).isFalse();
            assertThat(server.connectionCount()).isEqualTo(1);
        }
    }

    // ---------------------------------------------------------------- the connect timeout

    @Test
    void aConnectThatDoesNotCompleteFailsWithSocketTimeoutExceptionAfterTheConnectTimeout() throws Exception {
        Duration connectTimeout = Duration.ofMillis(300);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<Socket> queued = new ArrayList<>();
        // A listener that never accepts, with a backlog of 1: once its accept queue is full, Linux drops further
        // SYNs, so a connect neither succeeds nor is refused.
        try (ServerSocket listener = new ServerSocket(0, 1, loopback)) {
            boolean full = false;
            for (int i = 0; i < 64 && !full; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress(loopback, listener.getLocalPort()), 200);
                    queued.add(s);
                } catch (SocketTimeoutException e) {
                    s.close();
                    full = true;
                }
            }
            assumeTrue(full, "this kernel completed 64 connects to a backlog of 1; no loopback way to make a "
                    + "connect hang here");
            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> WebSocket.connect(uri(listener.getLocalPort(), "/"),
                    Headers.EMPTY, clientOptions().withConnectTimeout(connectTimeout)).close());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(thrown).isInstanceOf(SocketTimeoutException.class);
            assertThat(took).isGreaterThanOrEqualTo(connectTimeout.minusMillis(50))
                    .isLessThan(connectTimeout.plus(SLACK));
        } finally {
            for (Socket s : queued) {
                s.close();
            }
        }
    }
}
