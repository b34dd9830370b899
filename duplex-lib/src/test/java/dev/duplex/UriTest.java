package dev.duplex;

import dev.duplex.io.ConnectProxy;
import dev.duplex.io.RawServer;
import dev.duplex.io.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.Loopback.clientOptions;
import static dev.duplex.io.Loopback.echo;
import static dev.duplex.io.Loopback.inBackground;
import static dev.duplex.io.Loopback.receive;
import static dev.duplex.io.Loopback.serverOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * WebSocket URIs (RFC 6455 §3) as our client reads them: the scheme, the port in the {@code Host} header, the path
 * and query sent as given, IPv6 literals, user information turned into Basic credentials, and fragments refused.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UriTest {

    @TempDir
    static Path directory;
    private static TestCertificates certificates;

    @BeforeAll
    static void makeCertificates() throws IOException {
        certificates = TestCertificates.create(directory);
    }

    // ---------------------------------------------------------------- Scheme

    @Test
    void schemeOfKnowsWsAndWssInAnyCase() {
        assertThat(Scheme.of(URI.create("ws://example.com/"))).hasValue(Scheme.WS);
        assertThat(Scheme.of(URI.create("wss://example.com/"))).hasValue(Scheme.WSS);
        assertThat(Scheme.of(URI.create("WS://example.com/"))).hasValue(Scheme.WS);
        assertThat(Scheme.of(URI.create("WsS://example.com/"))).hasValue(Scheme.WSS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://example.com/", "https://example.com/", "wsx://example.com/", "//example.com/",
            "/chat"})
    void schemeOfIsEmptyForAnythingElseAndForAMissingScheme(String uri) {
        assertThat(Scheme.of(URI.create(uri))).isEmpty();
    }

    @Test
    void wsIsPlainOnPort80AndWssIsTlsOnPort443() {
        assertThat(Scheme.WS.defaultPort()).isEqualTo(80);
        assertThat(Scheme.WS.isSecure()).isFalse();
        assertThat(Scheme.WSS.defaultPort()).isEqualTo(443);
        assertThat(Scheme.WSS.isSecure()).isTrue();
        assertThat(Scheme.WS).hasToString("ws");
        assertThat(Scheme.WSS).hasToString("wss");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9/", "ftp://127.0.0.1:9/", "//127.0.0.1:9/"})
    void connectRefusesAUriThatIsNotWsOrWss(String uri) {
        assertThatThrownBy(() -> WebSocket.connect(URI.create(uri), Headers.EMPTY, clientOptions()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws:///chat", "ws:chat"})
    void connectRefusesAUriWithoutAHost(String uri) {
        assertThatThrownBy(() -> WebSocket.connect(URI.create(uri), Headers.EMPTY, clientOptions()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host");
    }

    // ---------------------------------------------------------------- the Host header and the port

    /**
     * The Host header (RFC 6455 §4.1, RFC 9110 §7.2) carries the port only when it is not the scheme's default. A
     * proxy that tunnels every CONNECT to our server lets the client aim at ports 80 and 443 of a name that does not
     * exist, and records where the client asked to go.
     */
    @ParameterizedTest
    @CsvSource({
            "ws://example.test/,         example.test,      example.test:80",
            "ws://example.test:80/,      example.test,      example.test:80",
            "ws://example.test:443/,     example.test:443,  example.test:443",
            "ws://example.test:8080/,    example.test:8080, example.test:8080",
            "WS://Example.TEST/,         Example.TEST,      Example.TEST:80"})
    void theHostHeaderNamesThePortOnlyWhenItIsNotTheDefault(String uri, String host, String connectTarget)
            throws Exception {
        BlockingQueue<HandshakeRequest> requests = new LinkedBlockingQueue<>();
        try (WebSocketServer server = recordingEchoServer(serverOptions(), requests);
             ConnectProxy proxy = ConnectProxy.tunnellingEverythingTo(server.port());
             WebSocket ws = WebSocket.connect(URI.create(uri), Headers.EMPTY,
                     clientOptions().withProxy(proxy.address()))) {
            assertThat(proxy.nextTunnel(WAIT).requestLine()).isEqualTo("CONNECT " + connectTarget + " HTTP/1.1");
            assertThat(requests.poll(WAIT.toSeconds(), TimeUnit.SECONDS).headers().all("Host"))
                    .containsExactly(host);
            ws.send("through");
            assertThat(receive(ws)).isEqualTo(Message.text("through"));
        }
    }

    @ParameterizedTest
    @CsvSource({
            "wss://localhost/,     localhost,     localhost:443",
            "wss://localhost:443/, localhost,     localhost:443",
            "wss://localhost:80/,  localhost:80,  localhost:80"})
    void theHostHeaderOfAWssUriNamesThePortOnlyWhenItIsNot443(String uri, String host, String connectTarget)
            throws Exception {
        BlockingQueue<HandshakeRequest> requests = new LinkedBlockingQueue<>();
        ServerOptions tls = serverOptions().withTls(Tls.serverContext(certificates.ecCertificate(),
                certificates.ecKey()));
        try (WebSocketServer server = recordingEchoServer(tls, requests);
             ConnectProxy proxy = ConnectProxy.tunnellingEverythingTo(server.port());
             WebSocket ws = WebSocket.connect(URI.create(uri), Headers.EMPTY, clientOptions()
                     .withProxy(proxy.address()).withTls(Tls.trusting(certificates.ca())))) {
            assertThat(proxy.nextTunnel(WAIT).requestLine()).isEqualTo("CONNECT " + connectTarget + " HTTP/1.1");
            assertThat(requests.poll(WAIT.toSeconds(), TimeUnit.SECONDS).headers().all("Host"))
                    .containsExactly(host);
        }
    }

    private static WebSocketServer recordingEchoServer(ServerOptions options, BlockingQueue<HandshakeRequest> requests)
            throws IOException {
        return WebSocketServer.start(options, request -> {
            requests.add(request);
            return Upgrade.accept();
        }, echo());
    }

    // ---------------------------------------------------------------- the request-target

    @ParameterizedTest
    @CsvSource({
            "/a%20b/c?x=%2F&y=1,  /a%20b/c?x=%2F&y=1",
            "'',                  /",
            "?q=1,                /?q=1",
            "/,                   /",
            "/p+q/%2e%2E/r?a=b+c&d=%26&=, /p+q/%2e%2E/r?a=b+c&d=%26&=",
            "/x?,                 /x?"})
    void thePathAndQueryAreSentExactlyAsGiven(String suffix, String target) throws Exception {
        try (RawServer server = RawServer.start()) {
            URI uri = URI.create("ws://127.0.0.1:" + server.port() + suffix);
            FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(uri, Headers.EMPTY,
                    clientOptions()));
            try (RawServer.Peer peer = server.accept()) {
                WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(peer.request().startLine()).isEqualTo("GET " + target + " HTTP/1.1");
                closeAgainst(ws, peer);
            }
        }
    }

    @Test
    void aPathWithCharactersOutsideAsciiIsSentPercentEncodedInUtf8() throws Exception {
        // java.net.URI accepts "café" in a path; an HTTP/1.1 request-target is ASCII only (RFC 9112 §3.2, RFC 3986
        // §2.1), so the characters go as their UTF-8 bytes percent-encoded, as URI.toASCIIString() writes them.
        try (RawServer server = RawServer.start()) {
            URI uri = new URI("ws", null, "127.0.0.1", server.port(), "/caf\u00e9", "q=\u00fc", null);
            FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(uri, Headers.EMPTY,
                    clientOptions()));
            try (RawServer.Peer peer = server.accept()) {
                WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(peer.request().startLine()).isEqualTo("GET /caf%C3%A9?q=%C3%BC HTTP/1.1");
                closeAgainst(ws, peer);
            }
        }
    }

    // ---------------------------------------------------------------- IPv6

    @Test
    void anIpv6LiteralUriConnectsAndNamesTheBracketedAddressInTheHostHeader() throws Exception {
        BlockingQueue<HandshakeRequest> requests6 = new LinkedBlockingQueue<>();
        WebSocketServer server;
        try {
            server = WebSocketServer.start(serverOptions().withListenAddress(InetAddress.getByName("::1")),
                    request -> {
                        requests6.add(request);
                        return Upgrade.accept();
                    }, echo());
        } catch (BindException e) {
            abort("::1 cannot be bound here: " + e.getMessage());
            return;
        } catch (SocketException e) {
            abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try (server; WebSocket ws = WebSocket.connect(URI.create("ws://[::1]:" + server.port() + "/six?v=6"),
                Headers.EMPTY, clientOptions())) {
            ws.send("over IPv6");
            assertThat(receive(ws)).isEqualTo(Message.text("over IPv6"));
            HandshakeRequest request = requests6.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(request.headers().all("Host")).containsExactly("[::1]:" + server.port());
            assertThat(request.target()).isEqualTo("/six?v=6");
        }
    }

    // ---------------------------------------------------------------- user information

    @Test
    void userInformationBecomesBasicCredentialsPercentDecoded() throws Exception {
        String expected = "Basic " + Base64.getEncoder().encodeToString("user:p@ss".getBytes(StandardCharsets.UTF_8));
        RawServer.Peer peer = requestFrom("ws://user:p%40ss@127.0.0.1:PORT/", Headers.EMPTY);
        assertThat(peer.request().first("Authorization")).hasValue(expected);
        assertThat(peer.request().startLine()).isEqualTo("GET / HTTP/1.1");
        assertThat(peer.request().first("Host")).hasValueSatisfying(host -> assertThat(host).doesNotContain("user"));
    }

    @Test
    void aPlusInUserInformationStaysAPlus() throws Exception {
        String expected = "Basic " + Base64.getEncoder().encodeToString("us+er:a+b c".getBytes(StandardCharsets.UTF_8));
        RawServer.Peer peer = requestFrom("ws://us+er:a+b%20c@127.0.0.1:PORT/", Headers.EMPTY);
        assertThat(peer.request().first("Authorization")).hasValue(expected);
    }

    @Test
    void anAuthorizationHeaderGivenByTheCallerWinsOverUserInformation() throws Exception {
        RawServer.Peer peer = requestFrom("ws://user:pass@127.0.0.1:PORT/",
                Headers.of("Authorization", "Bearer t0k3n"));
        assertThat(peer.request().fields().stream().filter(f -> f.getKey().equalsIgnoreCase("Authorization"))
                .map(java.util.Map.Entry::getValue)).containsExactly("Bearer t0k3n");
    }

    /** Connects to a RawServer at the URI with PORT filled in, returns its view of the request, and closes cleanly. */
    private static RawServer.Peer requestFrom(String uriPattern, Headers headers) throws Exception {
        try (RawServer server = RawServer.start()) {
            URI uri = URI.create(uriPattern.replace("PORT", Integer.toString(server.port())));
            FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(uri, headers, clientOptions()));
            RawServer.Peer peer = server.accept();
            try (peer) {
                closeAgainst(connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS), peer);
            }
            return peer;
        }
    }

    // ---------------------------------------------------------------- fragments

    @ParameterizedTest
    @ValueSource(strings = {"ws://127.0.0.1:9/#frag", "ws://127.0.0.1:9/chat?x=1#", "wss://localhost:9/#top"})
    void aUriWithAFragmentIsRefusedWithIllegalArgumentException(String uri) {
        // RFC 6455 §3: "Fragment identifiers are meaningless in the context of WebSocket URIs and MUST NOT be used".
        assertThatThrownBy(() -> WebSocket.connect(URI.create(uri), Headers.EMPTY, clientOptions()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fragment");
    }

    /** Closes our client while the raw server answers its Close. */
    private static void closeAgainst(WebSocket ws, RawServer.Peer peer) throws Exception {
        FutureTask<Void> closing = inBackground(() -> {
            ws.close();
            return null;
        });
        assertThat(peer.answerClose(WAIT).closeCode()).isEqualTo(1000);
        closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(ws.receive()).isNull();
    }
}
