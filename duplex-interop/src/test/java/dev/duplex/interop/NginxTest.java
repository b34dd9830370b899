package dev.duplex.interop;

import dev.duplex.ClientOptions;
import dev.duplex.CloseStatus;
import dev.duplex.HandshakeException;
import dev.duplex.HandshakeRequest;
import dev.duplex.Headers;
import dev.duplex.Message;
import dev.duplex.OriginPolicy;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static dev.duplex.interop.Payloads.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Duplex's client to Duplex's echo server through Debian's nginx as a reverse proxy ({@link Nginx}): over
 * {@code ws://} to nginx, and over {@code wss://} with TLS ending at nginx; nginx always speaks {@code ws://} to
 * the server.
 *
 * <p>Behind a proxy the server sees the proxy's request: the Host nginx forwards, not the one the client sent. The
 * server here uses {@link OriginPolicy#any()}, as a server for programs would, except in the test of what the
 * same-host policy makes of that.
 */
@DisplayName("Duplex through nginx")
@Timeout(30)
class NginxTest {

    private static final Duration STEP = Duration.ofSeconds(10);

    @TempDir
    static Path certificates;
    private static TestCa ca;

    @TempDir
    Path nginxDirectory;
    private DuplexEchoServer server;
    private Nginx nginx;
    private WebSocket client;

    @BeforeAll
    static void makeCertificates() throws Exception {
        ca = TestCa.create(certificates);
    }

    /** nginx first, so that a client connection still open ends at once instead of closing politely. */
    @AfterEach
    void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (server != null) {
            server.close();
        }
        if (client != null) {
            client.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void textAndMultiByteTextAreEchoedThroughNginx(Transport front) throws Exception {
        WebSocket ws = connectThroughNginx(front);
        ws.send("Hello, Duplex");
        assertThat(ws.receive()).isEqualTo(Message.text("Hello, Duplex"));
        ws.send(Payloads.MULTI_BYTE_TEXT);
        assertThat(ws.receive()).isEqualTo(Message.text(Payloads.MULTI_BYTE_TEXT));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void binaryIsEchoedThroughNginxAsBinary(Transport front) throws Exception {
        WebSocket ws = connectThroughNginx(front);
        ws.send(Message.binary(Payloads.allByteValues()));
        Message echo = ws.receive();
        assertThat(echo).isInstanceOf(Message.Binary.class);
        assertSameBytes(echo.toBytes(), Payloads.allByteValues());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void mebibyteTextIsEchoedThroughNginxByteIdentical(Transport front) throws Exception {
        WebSocket ws = connectThroughNginx(front);
        String text = Payloads.mebibyteText();
        ws.send(text);
        Message echo = ws.receive();
        assertThat(echo).isInstanceOf(Message.Text.class);
        assertSameBytes(echo.toBytes(), text.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void mebibyteBinaryIsEchoedThroughNginxByteIdentical(Transport front) throws Exception {
        WebSocket ws = connectThroughNginx(front);
        ws.send(Message.binary(Payloads.mebibyteBinary()));
        Message echo = ws.receive();
        assertThat(echo).isInstanceOf(Message.Binary.class);
        assertSameBytes(echo.toBytes(), Payloads.mebibyteBinary());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void clientClosingWith1000ThroughNginxEndsTheHandlersStreamCleanly(Transport front) throws Exception {
        WebSocket ws = connectThroughNginx(front);
        ws.close();
        assertThat(ws.receive()).as("receive() after we started the close").isNull();
        assertThat(ws.closeStatus().map(CloseStatus::code)).as("the code Duplex's server answered with").contains(1000);
        DuplexEchoServer.End end = server.awaitEnd(STEP);
        assertThat(end.failure()).as("what the handler's receive() threw").isNull();
        assertThat(end.closeStatus()).contains(CloseStatus.NORMAL_CLOSURE);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void clientClosingWith4000ThroughNginxFailsTheHandlersReceiveWithThatStatus(Transport front) throws Exception {
        WebSocket ws = connectThroughNginx(front);
        ws.close(CloseStatus.of(4000, "client bye"));
        assertThat(ws.receive()).as("receive() after we started the close").isNull();
        assertThat(ws.closeStatus().map(CloseStatus::code)).as("the code Duplex's server answered with").contains(4000);
        DuplexEchoServer.End end = server.awaitEnd(STEP);
        assertThat(end.failure()).isInstanceOfSatisfying(WebSocketException.class,
                e -> assertThat(e.status()).isEqualTo(CloseStatus.of(4000, "client bye")));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void handlerClosingWith4001ThroughNginxFailsTheClientsReceiveWithThatStatus(Transport front) throws Exception {
        WebSocket ws = connectThroughNginx(front);
        ws.send("close:4001:handler bye");
        assertThatThrownBy(ws::receive).isInstanceOfSatisfying(WebSocketException.class,
                e -> assertThat(e.status()).isEqualTo(CloseStatus.of(4001, "handler bye")));
        DuplexEchoServer.End end = server.awaitEnd(STEP);
        assertThat(end.failure()).as("what the handler's receive() threw after it closed").isNull();
        assertThat(end.closeStatus().map(CloseStatus::code)).as("the code our client answered with").contains(4001);
    }

    /**
     * A page served through nginx has nginx's origin, {@code http://127.0.0.1:PORT}. The server's default same-host
     * policy compares it with the Host it receives: {@code Host $host} drops the port, so the page is refused with
     * 403; {@code Host $http_host} keeps it, so the page is accepted.
     */
    @Test
    void sameHostPolicyBehindNginxAcceptsTheProxysOriginOnlyWhenTheHostKeepsItsPort() throws Exception {
        startBehindNginx(OriginPolicy.sameHost());
        String origin = "http://127.0.0.1:" + nginx.port();
        Headers headers = Headers.of("Origin", origin);

        client = WebSocket.connect(URI.create("ws://127.0.0.1:" + nginx.port() + "/keep-port/"), headers,
                ClientOptions.DEFAULT);
        client.send("same host");
        assertThat(client.receive()).isEqualTo(Message.text("same host"));
        assertThat(server.upgrades()).singleElement().extracting(HandshakeRequest::headers)
                .satisfies(h -> assertThat(h.first("Host")).contains("127.0.0.1:" + nginx.port()));

        assertThatThrownBy(() -> WebSocket.connect(URI.create("ws://127.0.0.1:" + nginx.port() + "/"), headers,
                ClientOptions.DEFAULT)).isInstanceOfSatisfying(HandshakeException.class,
                e -> assertThat(e.status()).as("the status nginx passed on").isEqualTo(403));
        assertThat(server.upgrades()).as("requests that reached the upgrader").hasSize(1);
    }

    // ---------------------------------------------------------------- plumbing

    private void startBehindNginx(OriginPolicy policy) throws Exception {
        server = DuplexEchoServer.start(ServerOptions.DEFAULT.withOriginPolicy(policy));
        nginx = Nginx.start(nginxDirectory, server.port(), ca);
    }

    /** Starts the server (any origin) and nginx, and connects to nginx over {@code front}. */
    private WebSocket connectThroughNginx(Transport front) throws Exception {
        startBehindNginx(OriginPolicy.any());
        int port = front == Transport.TLS ? nginx.tlsPort() : nginx.port();
        URI uri = URI.create(front.scheme() + "://127.0.0.1:" + port + "/echo");
        client = WebSocket.connect(uri, Headers.EMPTY, ClientOptions.DEFAULT.withTls(ca.clientContext()));
        return client;
    }
}
