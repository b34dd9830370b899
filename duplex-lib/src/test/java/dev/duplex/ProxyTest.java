package dev.duplex;

import dev.duplex.io.ConnectProxy;
import dev.duplex.io.EnvironmentProxy;
import dev.duplex.io.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.Loopback.clientOptions;
import static dev.duplex.io.Loopback.echoServer;
import static dev.duplex.io.Loopback.receive;
import static dev.duplex.io.Loopback.serverOptions;
import static dev.duplex.io.Loopback.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Our client through an HTTP proxy's CONNECT tunnel (RFC 9110 §9.3.6), played by {@link ConnectProxy}: {@code ws}
 * and {@code wss} through it, TLS end to end, a proxy that refuses, and the proxy settings read from the environment
 * the way curl reads them ({@link EnvironmentProxy}).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyTest {

    @TempDir
    static Path directory;
    private static TestCertificates certificates;

    @BeforeAll
    static void makeCertificates() throws IOException {
        certificates = TestCertificates.create(directory);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ---------------------------------------------------------------- through a tunnel

    @Test
    void aWsConnectionGoesThroughTheProxysConnectTunnel() throws Exception {
        try (WebSocketServer server = echoServer(serverOptions()); ConnectProxy proxy = ConnectProxy.start();
             WebSocket ws = WebSocket.connect(uri(server.port(), "/chat"), Headers.EMPTY,
                     clientOptions().withProxy(proxy.address()))) {
            ws.send("via the proxy");
            assertThat(receive(ws)).isEqualTo(Message.text("via the proxy"));
            ConnectProxy.Tunnel tunnel = proxy.nextTunnel(WAIT);
            String authority = "127.0.0.1:" + server.port();
            assertThat(tunnel.requestLine()).isEqualTo("CONNECT " + authority + " HTTP/1.1");
            assertThat(tunnel.headerLines()).contains("Host: " + authority);
            // Plain ws: the proxy sees the handshake.
            assertThat(ConnectProxy.contains(tunnel.clientBytes(), ascii("GET /chat HTTP/1.1"))).isTrue();
            assertThat(proxy.connections()).isEqualTo(1);
        }
    }

    @Test
    void aWssConnectionIsTlsEndToEndAndTheProxySeesOnlyCiphertext() throws Exception {
        SSLContext serverTls = Tls.serverContext(certificates.rsaCertificate(), certificates.rsaKey());
        try (WebSocketServer server = echoServer(serverOptions().withTls(serverTls));
             ConnectProxy proxy = ConnectProxy.start();
             WebSocket ws = WebSocket.connect(URI.create("wss://localhost:" + server.port() + "/secret-path"),
                     Headers.of("X-Secret-Header", "hunter2"), clientOptions().withProxy(proxy.address())
                             .withTls(Tls.trusting(certificates.ca())))) {
            ws.send("top secret message");
            assertThat(receive(ws)).isEqualTo(Message.text("top secret message"));
            ConnectProxy.Tunnel tunnel = proxy.nextTunnel(WAIT);
            assertThat(tunnel.requestLine()).isEqualTo("CONNECT localhost:" + server.port() + " HTTP/1.1");
            byte[] seen = tunnel.clientBytes();
            assertThat(seen).isNotEmpty();
            assertThat(seen[0]).as("the first byte through the tunnel: a TLS handshake record").isEqualTo((byte) 0x16);
            for (String plaintext : List.of("GET ", "websocket", "secret-path", "hunter2", "Sec-WebSocket-Key")) {
                assertThat(ConnectProxy.contains(seen, ascii(plaintext))).as("the proxy saw \"%s\"", plaintext)
                        .isFalse();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "wss"})
    void aProxyAnswering407FailsWithAnIOExceptionNamingItsStatusLine(String scheme) throws Exception {
        try (ConnectProxy proxy = ConnectProxy.refusing("HTTP/1.1 407 Proxy Authentication Required")) {
            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> WebSocket.connect(URI.create(scheme + "://localhost:9/"),
                    Headers.EMPTY, clientOptions().withProxy(proxy.address())).close());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(thrown).isInstanceOf(IOException.class)
                    .hasMessageContaining("HTTP/1.1 407 Proxy Authentication Required");
            assertThat(proxy.nextTunnel(WAIT).requestLine()).isEqualTo("CONNECT localhost:9 HTTP/1.1");
        }
    }

    @Test
    void theEnvironmentsProxyIsUsedAndItsNoProxyHostsAreReachedDirectly() throws Exception {
        try (WebSocketServer server = echoServer(serverOptions()); ConnectProxy proxy = ConnectProxy.start()) {
            String at = "127.0.0.1:" + proxy.address().getPort();
            try (WebSocket ws = WebSocket.connect(uri(server), Headers.EMPTY, clientOptions()
                    .withProxy(EnvironmentProxy.fromEnvironment(Map.of("HTTP_PROXY", at))))) {
                ws.send("proxied");
                assertThat(receive(ws)).isEqualTo(Message.text("proxied"));
            }
            assertThat(proxy.connections()).isEqualTo(1);
            try (WebSocket ws = WebSocket.connect(uri(server), Headers.EMPTY, clientOptions().withProxy(
                    EnvironmentProxy.fromEnvironment(Map.of("http_proxy", "http://" + at, "no_proxy", "127.0.0.1"))))) {
                ws.send("direct");
                assertThat(receive(ws)).isEqualTo(Message.text("direct"));
            }
            assertThat(proxy.connections()).as("connections the proxy saw").isEqualTo(1);
        }
    }

    // ---------------------------------------------------------------- EnvironmentProxy, as curl reads it

    /** The proxy the environment picks for {@code uri}, as "host:port", or "DIRECT". */
    private static String proxyFor(Map<String, String> env, String uri) {
        List<Proxy> proxies = EnvironmentProxy.fromEnvironment(env).select(URI.create(uri));
        assertThat(proxies).hasSize(1);
        Proxy proxy = proxies.getFirst();
        if (proxy.type() == Proxy.Type.DIRECT) {
            return "DIRECT";
        }
        assertThat(proxy.type()).isEqualTo(Proxy.Type.HTTP);
        InetSocketAddress address = (InetSocketAddress) proxy.address();
        return address.getHostString() + ":" + address.getPort();
    }

    @Test
    void httpsProxyIsForWssAndHttpProxyForWs() {
        Map<String, String> env = Map.of("https_proxy", "http://secure.proxy:3129",
                "http_proxy", "http://plain.proxy:3128");
        assertThat(proxyFor(env, "wss://example.com/")).isEqualTo("secure.proxy:3129");
        assertThat(proxyFor(env, "https://example.com:443/")).isEqualTo("secure.proxy:3129");
        assertThat(proxyFor(env, "ws://example.com/")).isEqualTo("plain.proxy:3128");
        assertThat(proxyFor(env, "http://example.com:80/")).isEqualTo("plain.proxy:3128");
    }

    @Test
    void wssIsDirectWhenOnlyHttpProxyIsSet() {
        Map<String, String> env = Map.of("http_proxy", "http://plain.proxy:3128");
        assertThat(proxyFor(env, "wss://example.com/")).isEqualTo("DIRECT");
        assertThat(proxyFor(env, "ws://example.com/")).isEqualTo("plain.proxy:3128");
    }

    @Test
    void upperCaseVariablesAreRead() {
        Map<String, String> env = Map.of("HTTPS_PROXY", "http://secure.proxy:3129",
                "HTTP_PROXY", "http://plain.proxy:3128", "NO_PROXY", "internal.test");
        assertThat(proxyFor(env, "wss://example.com/")).isEqualTo("secure.proxy:3129");
        assertThat(proxyFor(env, "ws://example.com/")).isEqualTo("plain.proxy:3128");
        assertThat(proxyFor(env, "ws://internal.test/")).isEqualTo("DIRECT");
    }

    @Test
    void aLowerCaseVariableWinsOverItsUpperCaseTwin() {
        Map<String, String> env = Map.of("http_proxy", "http://lower.proxy:1", "HTTP_PROXY", "http://upper.proxy:2");
        assertThat(proxyFor(env, "ws://example.com/")).isEqualTo("lower.proxy:1");
    }

    @Test
    void noVariablesMeansDirect() {
        assertThat(proxyFor(Map.of(), "ws://example.com/")).isEqualTo("DIRECT");
        assertThat(proxyFor(Map.of(), "wss://example.com/")).isEqualTo("DIRECT");
    }

    @ParameterizedTest
    @CsvSource({
            "proxy.test,               proxy.test:1080",
            "http://proxy.test,        proxy.test:1080",
            "http://proxy.test/,       proxy.test:1080",
            "proxy.test:3128,          proxy.test:3128",
            "http://proxy.test:8080/,  proxy.test:8080",
            "http://10.0.0.1,          10.0.0.1:1080"})
    void aProxyWithoutAPortIsOnPort1080(String value, String expected) {
        assertThat(proxyFor(Map.of("http_proxy", value), "ws://example.com/")).isEqualTo(expected);
    }

    /** no_proxy entries and the hosts they send direct (D) or leave to the proxy (P). */
    @ParameterizedTest(name = "no_proxy=\"{0}\": {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "example.com            | ws://example.com/           | D",
            "example.com            | wss://example.com:8443/     | D",
            "example.com            | ws://www.example.com/       | D",
            "example.com            | ws://notexample.com/        | P",
            "example.com            | ws://example.com.evil.test/ | P",
            ".example.com           | ws://a.b.example.com/       | D",
            ".example.com           | ws://example.com/           | D",
            ".example.com           | ws://badexample.com/        | P",
            "Example.COM            | ws://www.example.com/       | D",
            "*                      | ws://anything.test/         | D",
            "*                      | wss://127.0.0.1:9/          | D",
            "example.com:8080       | ws://example.com/           | D",
            "example.com:8080       | wss://example.com:443/      | D",
            "' a.test , ,b.test '   | ws://b.test/                | D",
            "' a.test , ,b.test '   | ws://a.test/                | D",
            "' a.test , ,b.test '   | ws://c.test/                | P",
            "127.0.0.1              | ws://127.0.0.1:9/           | D",
            "127.0.0.1              | ws://127.0.0.2:9/           | P",
            "::1                    | ws://[::1]:9/               | D",
            "other.test             | ws://example.com/           | P"})
    void noProxyMatchesExactHostsAndDomainSuffixesIgnoringPorts(String noProxy, String uri, String expected) {
        Map<String, String> env = Map.of("http_proxy", "http://p.test:3128", "https_proxy", "http://p.test:3129",
                "no_proxy", noProxy);
        String chosen = proxyFor(env, uri);
        assertThat(chosen.equals("DIRECT") ? "D" : "P").as("proxy chosen: %s", chosen).isEqualTo(expected);
    }
}
