package dev.duplex.interop;

import dev.duplex.ClientOptions;
import dev.duplex.CloseStatus;
import dev.duplex.Headers;
import dev.duplex.Message;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static dev.duplex.interop.Payloads.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The interop matrix against one peer implementation: Duplex's client against the peer's echo server, and the
 * peer's scripted client against Duplex's echo server ({@link DuplexEchoServer}). A subclass names the {@link Peer}.
 *
 * <p>Every test starts its own peer process, so that each one's output concerns one connection only. The matrix runs
 * over plain TCP or, when a subclass says {@link Transport#TLS}, over {@code wss://} on both sides with certificates
 * from a {@link TestCa} made for the test class: the peer servers get {@code --tls-cert} and {@code --tls-key}, the
 * peer clients {@code --ca}, and Duplex trusts the CA through {@code ClientOptions.withTls}.
 */
abstract class PeerInteropTest {

    /** Time for a peer to start and say it is listening: an interpreter start, with room for a slow CI machine. */
    private static final Duration STARTUP = Duration.ofSeconds(15);
    /** Time for one exchange on loopback, a mebibyte included. */
    private static final Duration STEP = Duration.ofSeconds(10);
    /** Time for a peer client to run its whole script. */
    private static final Duration CLIENT_RUN = Duration.ofSeconds(30);

    @TempDir
    static Path certificates;
    private static TestCa ca;

    private final Closer closer = new Closer();

    @BeforeAll
    static void makeCertificates() throws IOException {
        ca = TestCa.create(certificates);
    }

    /** What the connections run over; plain TCP unless a subclass says TLS. */
    Transport transport() {
        return Transport.PLAIN;
    }

    /** The peer implementation under test. */
    abstract Peer peer();

    @AfterEach
    void closeEverything() throws Exception {
        closer.close();
    }

    // ---------------------------------------------------------------- Duplex's client, the peer's server

    @Test
    void textIsEchoedByThePeerServer() throws Exception {
        WebSocket ws = connectToPeerServer();
        ws.send("Hello, Duplex");
        assertThat(ws.receive()).isEqualTo(Message.text("Hello, Duplex"));
    }

    @Test
    void multiByteUtf8TextIsEchoedByThePeerServerByteIdentical() throws Exception {
        WebSocket ws = connectToPeerServer();
        ws.send(Payloads.MULTI_BYTE_TEXT);
        Message echo = ws.receive();
        assertThat(echo).isInstanceOf(Message.Text.class);
        assertSameBytes(echo.toBytes(), Payloads.MULTI_BYTE_TEXT.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void emptyTextAndEmptyBinaryAreEchoedByThePeerServer() throws Exception {
        WebSocket ws = connectToPeerServer();
        ws.send("");
        assertThat(ws.receive()).isEqualTo(Message.text(""));
        ws.send(ByteBuffer.allocate(0));
        Message echo = ws.receive();
        assertThat(echo).isInstanceOf(Message.Binary.class);
        assertThat(echo.toBytes()).isEmpty();
    }

    @Test
    void binaryIsEchoedByThePeerServerAsBinary() throws Exception {
        WebSocket ws = connectToPeerServer();
        ws.send(Message.binary(Payloads.allByteValues()));
        Message echo = ws.receive();
        assertThat(echo).isInstanceOf(Message.Binary.class);
        assertSameBytes(echo.toBytes(), Payloads.allByteValues());
    }

    @Test
    void mebibyteTextIsEchoedByThePeerServerByteIdentical() throws Exception {
        WebSocket ws = connectToPeerServer();
        String text = Payloads.mebibyteText();
        ws.send(text);
        Message echo = ws.receive();
        assertThat(echo).isInstanceOf(Message.Text.class);
        assertSameBytes(echo.toBytes(), text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void mebibyteBinaryIsEchoedByThePeerServerByteIdentical() throws Exception {
        WebSocket ws = connectToPeerServer();
        ws.send(Message.binary(Payloads.mebibyteBinary()));
        Message echo = ws.receive();
        assertThat(echo).isInstanceOf(Message.Binary.class);
        assertSameBytes(echo.toBytes(), Payloads.mebibyteBinary());
    }

    @Test
    void pingReachesThePeerServerAndTheConnectionStaysHealthy() throws Exception {
        PeerProcess server = startPeerServer();
        WebSocket ws = connect(server);
        byte[] payload = "duplex-ping".getBytes(StandardCharsets.UTF_8);
        ws.ping(ByteBuffer.wrap(payload));
        assertThat(awaitReport(server, "ping ")).isEqualTo("ping " + HexFormat.of().formatHex(payload));
        // The peer's Pong is consumed by Duplex's reader; the connection must go on as before.
        ws.send("after ping");
        assertThat(ws.receive()).isEqualTo(Message.text("after ping"));
        assertThat(ws.isClosed()).isFalse();
        assertThat(ws.closeStatus()).isEmpty();
    }

    @Test
    void closingWith1000IsReportedByThePeerServer() throws Exception {
        PeerProcess server = startPeerServer();
        WebSocket ws = connect(server);
        ws.close();
        assertThat(peerReportedClose(server)).isEqualTo(CloseStatus.NORMAL_CLOSURE);
        assertThat(ws.receive()).as("receive() after we started the close").isNull();
    }

    @Test
    void closingWith4000AndAReasonIsReportedByThePeerServer() throws Exception {
        PeerProcess server = startPeerServer();
        WebSocket ws = connect(server);
        ws.close(CloseStatus.of(4000, "bye"));
        assertThat(peerReportedClose(server)).isEqualTo(CloseStatus.of(4000, "bye"));
        assertThat(ws.receive()).as("receive() after we started the close").isNull();
    }

    @Test
    void peerServerClosingWith1001EndsTheStreamCleanly() throws Exception {
        PeerProcess server = startPeerServer();
        WebSocket ws = connect(server);
        ws.send("close:1001:going away");
        assertThat(ws.receive()).as("receive() after the peer closed with 1001").isNull();
        assertThat(ws.closeStatus()).contains(CloseStatus.of(1001, "going away"));
        assertThat(ws.isClosed()).isTrue();
        assertThat(peerReportedClose(server).code()).as("the code Duplex answered with").isEqualTo(1001);
    }

    @Test
    void peerServerClosingWith4001FailsReceiveWithThatStatus() throws Exception {
        PeerProcess server = startPeerServer();
        WebSocket ws = connect(server);
        ws.send("close:4001:server bye");
        assertThatThrownBy(ws::receive).isInstanceOfSatisfying(WebSocketException.class,
                e -> assertThat(e.status()).isEqualTo(CloseStatus.of(4001, "server bye")));
        assertThat(ws.closeStatus()).contains(CloseStatus.of(4001, "server bye"));
        assertThat(peerReportedClose(server).code()).as("the code Duplex answered with").isEqualTo(4001);
    }

    // ---------------------------------------------------------------- the peer's client, Duplex's server

    @Test
    void peerClientTextAndMultiByteUtf8TextAreEchoedByDuplexServer() throws Exception {
        runPeerClient("text", "utf8", "close:1000:");
    }

    @Test
    void peerClientEmptyMessagesAreEchoedByDuplexServer() throws Exception {
        runPeerClient("empty-text", "empty-binary", "close:1000:");
    }

    @Test
    void peerClientBinaryIsEchoedByDuplexServerAsBinary() throws Exception {
        runPeerClient("binary", "close:1000:");
    }

    @Test
    void peerClientMebibyteTextIsEchoedByDuplexServerByteIdentical() throws Exception {
        runPeerClient("big-text", "close:1000:");
    }

    @Test
    void peerClientMebibyteBinaryIsEchoedByDuplexServerByteIdentical() throws Exception {
        runPeerClient("big-binary", "close:1000:");
    }

    @Test
    void peerClientPingIsAnsweredWithAPongByDuplexServer() throws Exception {
        runPeerClient("ping", "close:1000:");
    }

    @Test
    void peerClientWholeScriptRunsOnOneConnectionToDuplexServer() throws Exception {
        runPeerClient("text", "utf8", "empty-text", "binary", "empty-binary", "big-text", "big-binary", "ping",
                "text", "close:1000:");
    }

    @Test
    void peerClientClosingWith1000EndsTheHandlersStreamCleanly() throws Exception {
        DuplexEchoServer server = startDuplexServer();
        CloseStatus answer = runPeerClient(server, "close:1000:");
        DuplexEchoServer.End end = server.awaitEnd(STEP);
        assertThat(end.failure()).as("what receive() threw").isNull();
        assertThat(end.closeStatus()).contains(CloseStatus.NORMAL_CLOSURE);
        assertThat(answer.code()).as("the code Duplex answered with").isEqualTo(1000);
    }

    @Test
    void peerClientClosingWith4002FailsTheHandlersReceiveWithThatStatus() throws Exception {
        DuplexEchoServer server = startDuplexServer();
        CloseStatus answer = runPeerClient(server, "close:4002:client bye");
        DuplexEchoServer.End end = server.awaitEnd(STEP);
        assertThat(end.failure()).isInstanceOfSatisfying(WebSocketException.class,
                e -> assertThat(e.status()).isEqualTo(CloseStatus.of(4002, "client bye")));
        assertThat(end.closeStatus()).contains(CloseStatus.of(4002, "client bye"));
        assertThat(answer.code()).as("the code Duplex answered with").isEqualTo(4002);
    }

    @Test
    void handlerClosingWith4003IsReportedByThePeerClient() throws Exception {
        DuplexEchoServer server = startDuplexServer();
        CloseStatus received = runPeerClient(server, "await-close:close:4003:handler bye");
        assertThat(received).isEqualTo(CloseStatus.of(4003, "handler bye"));
        DuplexEchoServer.End end = server.awaitEnd(STEP);
        assertThat(end.failure()).as("what receive() threw after the handler closed").isNull();
        assertThat(end.closeStatus().map(CloseStatus::code)).as("the code the peer answered with").contains(4003);
    }

    @Test
    void handlerReturningClosesWith1000() throws Exception {
        DuplexEchoServer server = startDuplexServer();
        CloseStatus received = runPeerClient(server, "await-close:return");
        assertThat(received.code()).isEqualTo(1000);
        assertThat(server.awaitEnd(STEP).returned()).isTrue();
    }

    // ---------------------------------------------------------------- plumbing

    private PeerProcess startPeerServer() {
        List<String> options = transport() == Transport.TLS
                ? List.of("--tls-cert", ca.certificate().toString(), "--tls-key", ca.privateKey().toString())
                : List.of();
        return keep(peer().startEchoServer(options));
    }

    private WebSocket connectToPeerServer() throws IOException {
        return connect(startPeerServer());
    }

    private WebSocket connect(PeerProcess server) throws IOException {
        int port = Peer.awaitListening(server, STARTUP);
        URI uri = URI.create(transport().scheme() + "://127.0.0.1:" + port + "/");
        return keep(WebSocket.connect(uri, Headers.EMPTY, clientOptions()));
    }

    private ClientOptions clientOptions() throws IOException {
        if (transport() == Transport.PLAIN) {
            return ClientOptions.DEFAULT;
        }
        try {
            return ClientOptions.DEFAULT.withTls(ca.clientContext());
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** The next line the peer server prints that starts with {@code prefix}; a reported error fails the test. */
    private static String awaitReport(PeerProcess server, String prefix) {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (true) {
            String line = server.nextLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (line.startsWith("error ")) {
                throw server.failure("reported an error");
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** The status of the Close frame the peer server says it received. */
    private static CloseStatus peerReportedClose(PeerProcess server) {
        return parseClosed(awaitReport(server, "closed "));
    }

    private DuplexEchoServer startDuplexServer() throws Exception {
        ServerOptions options = ServerOptions.DEFAULT;
        if (transport() == Transport.TLS) {
            options = options.withTls(ca.serverContext());
        }
        return keep(DuplexEchoServer.start(options));
    }

    /** Runs the peer client against a fresh Duplex echo server; see {@link #runPeerClient(DuplexEchoServer, String...)}. */
    private void runPeerClient(String... steps) throws Exception {
        CloseStatus answer = runPeerClient(startDuplexServer(), steps);
        assertThat(answer).as("the Close frame Duplex answered with").isEqualTo(CloseStatus.NORMAL_CLOSURE);
    }

    /**
     * Runs the peer client's steps against {@code server}, asserts that it exited 0 having done each of them, and
     * returns the status of the Close frame it received.
     */
    private CloseStatus runPeerClient(DuplexEchoServer server, String... steps) throws Exception {
        List<String> options = transport() == Transport.TLS
                ? List.of("--ca", ca.caCertificate().toString())
                : List.of();
        List<String> lines = peer().runClient(options, server.uri(), List.of(steps), CLIENT_RUN);
        List<String> expected = Stream.of(steps).map(step -> "ok " + step).toList();
        assertThat(lines).as("%s client output", peer().name()).hasSize(steps.length + 1);
        assertThat(lines.subList(0, steps.length)).isEqualTo(expected);
        return parseClosed(lines.get(steps.length));
    }

    /** Parses a peer's "closed CODE REASON" line. */
    private static CloseStatus parseClosed(String line) {
        assertThat(line).matches("closed \\d+ .*");
        String[] parts = line.split(" ", 3);
        return CloseStatus.of(Integer.parseInt(parts[1]), parts[2]);
    }

    private <T extends AutoCloseable> T keep(T resource) {
        return closer.keep(resource);
    }
}
