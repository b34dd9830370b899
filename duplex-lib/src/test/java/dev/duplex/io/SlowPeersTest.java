package dev.duplex.io;

import dev.duplex.ClientOptions;
import dev.duplex.Compression;
import dev.duplex.HandshakeException;
import dev.duplex.Handler;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.ServerOptions;
import dev.duplex.Tls;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketException;
import dev.duplex.WebSocketServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

import static dev.duplex.io.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Peers that stop reading, or trickle: a send to a peer that reads nothing blocks at most {@link Limits#sendTimeout()}
 * and then fails that connection, not the server; a sender is held back by TCP instead of queueing without end; an
 * application that stops receiving pushes back on its peer through the bounded inbox and TCP; and a handshake sent
 * a byte a second is cut off at the handshake timeout.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SlowPeersTest {

    private static final Duration SEND_TIMEOUT = Duration.ofMillis(500);
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    /** What a timeout may overrun by on two busy cores before the test calls it a failure. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    private static final Limits LIMITS = Loopback.LIMITS.withCloseTimeout(Duration.ofSeconds(1))
            .withSendTimeout(SEND_TIMEOUT).withHandshakeTimeout(HANDSHAKE_TIMEOUT);
    private static final int CHUNK = 64 * 1024;
    /**
     * Messages of {@link #CHUNK} bytes a flooding sender offers: 125 MiB, far more than loopback TCP buffers hold
     * (a few MiB each way), so a sender that is not held back would show.
     */
    private static final int FLOOD = 2000;
    /** A sender held back by TCP stalls long before this many messages: buffers plus the inbox, with margin. */
    private static final int STALLS_BEFORE = 800;
    /** Live heap a stalled exchange may add: the inbox (16 x 64 KiB) and buffers, far from the flood's 125 MiB. */
    private static final long HEAP_GROWTH_LIMIT = 24L << 20;

    @TempDir
    static Path directory;

    private static ServerOptions options() {
        return Loopback.serverOptions().withLimits(LIMITS);
    }

    /** How a flood ended: what the failing send threw, how long it blocked, how many sends went before it. */
    private record Outcome(Exception failure, Duration blocked, int sent) {
    }

    @Test
    void aSendToAClientThatStopsReadingFailsAtTheSendTimeoutAndTheServerServesOthers() throws Exception {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        Handler<Void> handler = (ws, state) -> {
            if (!ws.startLine().startsWith("GET /flood ")) {
                Loopback.<Void>echo().handle(ws, state);
                return;
            }
            outcome.complete(floodUntilFailure(ws));
        };
        try (Siege siege = Siege.start(options(), handler)) {
            siege.underAttack(SEND_TIMEOUT.plus(SLACK).plus(SLACK), () -> {
                try (RawClient raw = RawClient.connect(siege.port())) {
                    raw.handshake("/flood"); // and then never reads another byte
                    Outcome o = outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(o.failure()).as("what the blocked send threw after %d messages", o.sent())
                            .isInstanceOf(WebSocketException.class)
                            .hasMessageContaining("send timed out");
                    assertThat(((WebSocketException) o.failure()).status().code()).isEqualTo(1006);
                    assertThat(o.blocked()).as("how long the last send blocked")
                            .isGreaterThanOrEqualTo(SEND_TIMEOUT.minusMillis(20))
                            .isLessThan(SEND_TIMEOUT.plus(SLACK));
                    // The server dropped the connection: what was buffered arrives, then the stream ends.
                    raw.readToEof(SLACK);
                }
            });
        }
    }

    @Test
    void aSendFromOurClientToAServerThatStopsReadingFailsAtTheSendTimeout() throws Exception {
        try (RawServer server = RawServer.start()) {
            FutureTask<WebSocket> connecting = Loopback.inBackground(() -> WebSocket.connect(server.uri(),
                    Headers.EMPTY, Loopback.clientOptions().withLimits(LIMITS)));
            try (RawServer.Peer peer = server.accept();
                 WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                Outcome o = floodUntilFailure(ws);
                assertThat(o.failure()).as("what the blocked send threw after %d messages", o.sent())
                        .isInstanceOf(WebSocketException.class)
                        .hasMessageContaining("send timed out");
                assertThat(o.blocked()).isGreaterThanOrEqualTo(SEND_TIMEOUT.minusMillis(20))
                        .isLessThan(SEND_TIMEOUT.plus(SLACK));
                assertThat(ws.isClosed()).isTrue();
                peer.readToEof(SLACK);
            }
        }
    }

    /** Sends 256 KiB messages until one fails (at most 1 GiB), timing each. */
    private static Outcome floodUntilFailure(WebSocket ws) {
        ByteBuffer message = ByteBuffer.wrap(new byte[256 * 1024]);
        for (int i = 0; i < 4096; i++) {
            long start = System.nanoTime();
            try {
                ws.send(message.duplicate());
            } catch (IOException | RuntimeException e) {
                return new Outcome(e, Duration.ofNanos(System.nanoTime() - start), i);
            }
        }
        return new Outcome(null, Duration.ZERO, 4096);
    }

    @Test
    void sendingToAPeerThatDoesNotReadBlocksTheSenderInsteadOfQueueing() throws Exception {
        try (RawServer server = RawServer.start()) {
            // The send timeout stays long here: this test is about being held back, not about giving up.
            FutureTask<WebSocket> connecting = Loopback.inBackground(() -> WebSocket.connect(server.uri(),
                    Headers.EMPTY, Loopback.clientOptions().withLimits(LIMITS.withSendTimeout(WAIT))));
            try (RawServer.Peer peer = server.accept();
                 WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                long heapBefore = ProcessResources.heapUsedAfterGc();
                AtomicInteger sent = new AtomicInteger();
                FutureTask<Void> sending = Loopback.inBackground(() -> {
                    for (int i = 0; i < FLOOD; i++) {
                        ws.send(numbered(i));
                        sent.incrementAndGet();
                    }
                    return null;
                });
                int stalledAt = awaitStall(sent::get);
                assertThat(stalledAt).as("messages sent before the sender was held back").isLessThan(STALLS_BEFORE);
                assertThat(sending.isDone()).as("the sender is blocked").isFalse();
                assertThat(ProcessResources.heapUsedAfterGc() - heapBefore).as("live heap added while held back")
                        .isLessThan(HEAP_GROWTH_LIMIT);

                // The peer reads again: every message arrives, whole and in order, and the sender finishes.
                peer.setReadTimeout(WAIT);
                for (int i = 0; i < FLOOD; i++) {
                    RawFrame frame = peer.readFrame();
                    assertThat(frame.opcode()).isEqualTo(RawFrame.BINARY);
                    assertThat(ByteBuffer.wrap(frame.payload()).getInt()).as("message number").isEqualTo(i);
                    assertThat(frame.payload()).hasSize(CHUNK);
                }
                sending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                FutureTask<RawFrame> answering = Loopback.inBackground(() -> peer.answerClose(WAIT));
                ws.close();
                assertThat(answering.get(WAIT.toSeconds(), TimeUnit.SECONDS).closeCode()).isEqualTo(1000);
            }
        }
    }

    @Test
    void aClientThatStopsReceivingMakesTheServersSendsBlockInsteadOfBuffering() throws Exception {
        AtomicInteger sent = new AtomicInteger();
        Handler<Void> flood = (ws, state) -> {
            for (int i = 0; i < FLOOD; i++) {
                ws.send(numbered(i));
                sent.incrementAndGet();
            }
        };
        // The server's send timeout stays long here too: it is the client's inbox that holds it back. Without
        // compression, since these mostly-zero messages would otherwise shrink to a few bytes each.
        try (WebSocketServer server = WebSocketServer.start(Loopback.serverOptions()
                .withLimits(LIMITS.withSendTimeout(WAIT)).withCompression(Compression.DISABLED), flood)) {
            long heapBefore = ProcessResources.heapUsedAfterGc();
            try (WebSocket ws = Loopback.connect(server)) {
                // The application does not call receive(): the inbox fills, the reader stops, TCP fills up.
                int stalledAt = awaitStall(sent::get);
                assertThat(stalledAt).as("messages the server sent before it was held back")
                        .isGreaterThanOrEqualTo(LIMITS.inboxDepth())
                        .isLessThan(STALLS_BEFORE);
                assertThat(ProcessResources.heapUsedAfterGc() - heapBefore).as("live heap added while held back")
                        .isLessThan(HEAP_GROWTH_LIMIT);

                for (int i = 0; i < FLOOD; i++) {
                    Message m = Loopback.receive(ws);
                    assertThat(m).isInstanceOf(Message.Binary.class);
                    assertThat(((Message.Binary) m).data().getInt(0)).as("message number").isEqualTo(i);
                }
                // The handler returned after the last one: the server closes with 1000, a clean end.
                assertThat(Loopback.receive(ws)).isNull();
            }
            assertThat(sent.get()).isEqualTo(FLOOD);
        }
    }

    @Test
    void aHandshakeSentOneBytePerSecondIsCutOffAtTheHandshakeTimeoutWhileOthersAreServed() throws Exception {
        try (Siege siege = Siege.start(options())) {
            byte[] request = RawClient.request("/", RawClient.newKey());
            // Never the final CRLF; at one byte a second the whole head would take two and a half minutes.
            byte[] withoutEnd = Arrays.copyOf(request, request.length - 2);
            int slowlorises = 100;
            siege.underAttack(HANDSHAKE_TIMEOUT.plus(SLACK).plus(SLACK), () -> {
                List<FutureTask<Duration>> trickles = new ArrayList<>();
                for (int i = 0; i < slowlorises; i++) {
                    trickles.add(Loopback.inBackground(() -> RawAttacks.trickleUntilHungUp(siege.port(), withoutEnd,
                            1, Duration.ofSeconds(1))));
                }
                // While they trickle, a new client connects and is served.
                try (WebSocket ws = Loopback.connect(siege.server())) {
                    ws.send("while the slowlorises trickle");
                    assertThat(Loopback.receive(ws)).isEqualTo(Message.text("while the slowlorises trickle"));
                }
                for (FutureTask<Duration> t : trickles) {
                    assertThat(t.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("time until the server hung up")
                            .isGreaterThanOrEqualTo(HANDSHAKE_TIMEOUT)
                            .isLessThan(HANDSHAKE_TIMEOUT.plus(SLACK));
                }
            });
        }
    }

    /**
     * A server that refuses the handshake and keeps the connection open, waiting for another request as an HTTP
     * server with keep-alive does: the client reports the refusal at once, not at its handshake timeout (10 s here).
     */
    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void aRefusalFromAServerThatKeepsTheConnectionOpenIsReportedPromptly(boolean tls) throws Exception {
        TestCertificates certificates = tls ? TestCertificates.create(directory) : null;
        try (RawServer server = tls ? RawServer.startTls(Tls.serverContext(certificates.rsaCertificate(),
                certificates.rsaKey())) : RawServer.start()) {
            URI uri = URI.create((tls ? "wss://localhost:" : "ws://127.0.0.1:") + server.port() + "/");
            ClientOptions options = Loopback.clientOptions()
                    .withTls(tls ? Tls.trusting(certificates.ca()) : null);
            FutureTask<Throwable> connecting = Loopback.inBackground(() -> catchThrowable(() -> WebSocket.connect(
                    uri, Headers.EMPTY, options).close()));
            try (RawServer.Peer peer = server.acceptRequest()) {
                long start = System.nanoTime();
                peer.write(RawAttacks.ascii("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
                Throwable thrown;
                try {
                    thrown = connecting.get(SLACK.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("WebSocket.connect(" + uri + ") was still blocked " + SLACK
                            + " after the server's 403 (its handshake timeout is "
                            + options.limits().handshakeTimeout() + ")");
                }
                assertThat(thrown).isInstanceOfSatisfying(HandshakeException.class,
                        e -> assertThat(e.status()).isEqualTo(403));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(SLACK);
            } finally {
                connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    /** A binary message of {@link #CHUNK} bytes that starts with its number. */
    private static ByteBuffer numbered(int i) {
        ByteBuffer b = ByteBuffer.allocate(CHUNK);
        b.putInt(0, i);
        return b;
    }

    /**
     * Waits until {@code progress} has started and then not moved for 300 ms, and returns it; fails if it never
     * stops within {@link Loopback#WAIT}. There is no event for "blocked in a socket write", so this polls.
     */
    private static int awaitStall(IntSupplier progress) {
        long quiet = TimeUnit.MILLISECONDS.toNanos(300);
        long deadline = System.nanoTime() + WAIT.toNanos();
        int last = progress.getAsInt();
        long lastChange = System.nanoTime();
        for (int i = 0; i < 10_000 && System.nanoTime() - deadline < 0; i++) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            int now = progress.getAsInt();
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            } else if (now > 0 && System.nanoTime() - lastChange >= quiet) {
                return now;
            }
        }
        throw new AssertionError("the sender never stalled: " + last + " messages sent");
    }
}
