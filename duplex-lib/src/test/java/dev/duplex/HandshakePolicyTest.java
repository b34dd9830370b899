package dev.duplex;

import dev.duplex.io.RawServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.Loopback.clientOptions;
import static dev.duplex.io.Loopback.echo;
import static dev.duplex.io.Loopback.inBackground;
import static dev.duplex.io.Loopback.receive;
import static dev.duplex.io.Loopback.serverOptions;
import static dev.duplex.io.Loopback.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * What the server decides during the opening handshake, and what our client accepts of it: subprotocol selection
 * (RFC 6455 §4.2.2 and §4.1), the Origin policy (attack row 20, cross-site WebSocket hijacking), and the cookies and
 * query the upgrader sees to make its own decision before the 101.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HandshakePolicyTest {

    /** A server whose handler reports the subprotocol it sees, then echoes. */
    private record Served(WebSocketServer server, CompletableFuture<Optional<String>> serverSide)
            implements AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }

    private static Served serve(ServerOptions options, Upgrader<Void> upgrader) throws IOException {
        CompletableFuture<Optional<String>> seen = new CompletableFuture<>();
        Handler<Void> echo = echo();
        WebSocketServer server = WebSocketServer.start(options, upgrader, (ws, state) -> {
            seen.complete(ws.subprotocol());
            echo.handle(ws, state);
        });
        return new Served(server, seen);
    }

    private static WebSocket connectOffering(WebSocketServer server, String... subprotocols) throws IOException {
        return WebSocket.connect(uri(server), Headers.EMPTY, clientOptions().withSubprotocols(subprotocols));
    }

    // ---------------------------------------------------------------- subprotocols: our server

    @Test
    void theServerSelectsByItsOwnPreferenceAmongTheClientsOffer() throws Exception {
        try (Served s = serve(serverOptions().withSubprotocols("v2.chat", "v1.chat"), Upgrader.acceptAll());
             WebSocket ws = connectOffering(s.server(), "v1.chat", "v2.chat")) {
            assertThat(ws.subprotocol()).hasValue("v2.chat");
            assertThat(ws.headers().all("Sec-WebSocket-Protocol")).containsExactly("v2.chat");
            assertThat(s.serverSide().get(WAIT.toSeconds(), TimeUnit.SECONDS)).hasValue("v2.chat");
            ws.send("chat");
            assertThat(receive(ws)).isEqualTo(Message.text("chat"));
        }
    }

    @Test
    void theServerSelectsTheOneSubprotocolItSharesWithTheClient() throws Exception {
        try (Served s = serve(serverOptions().withSubprotocols("mqtt", "graphql-ws"), Upgrader.acceptAll());
             WebSocket ws = connectOffering(s.server(), "soap", "graphql-ws", "wamp")) {
            assertThat(ws.subprotocol()).hasValue("graphql-ws");
            assertThat(s.serverSide().get(WAIT.toSeconds(), TimeUnit.SECONDS)).hasValue("graphql-ws");
        }
    }

    @Test
    void withSubprotocolsOnNeitherSideNoneIsSelected() throws Exception {
        try (Served s = serve(serverOptions(), Upgrader.acceptAll()); WebSocket ws = connectOffering(s.server())) {
            assertThat(ws.subprotocol()).isEmpty();
            assertThat(ws.headers().contains("Sec-WebSocket-Protocol")).isFalse();
            assertThat(s.serverSide().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    void aServerWithSubprotocolsAcceptsAClientThatOffersNone() throws Exception {
        try (Served s = serve(serverOptions().withSubprotocols("chat"), Upgrader.acceptAll());
             WebSocket ws = connectOffering(s.server())) {
            assertThat(ws.subprotocol()).isEmpty();
            assertThat(s.serverSide().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat", ""})
    void theClientFailsWhenTheServerSpeaksNoneOfItsSubprotocols(String serverSpeaks) throws Exception {
        // ClientOptions: "the server must select one of them", as browsers require.
        ServerOptions options = serverSpeaks.isEmpty() ? serverOptions()
                : serverOptions().withSubprotocols(serverSpeaks);
        try (Served s = serve(options, Upgrader.acceptAll())) {
            assertThatThrownBy(() -> connectOffering(s.server(), "v1.stomp", "v2.stomp").close())
                    .isInstanceOf(HandshakeException.class)
                    .hasMessageContaining("none of the offered subprotocols");
        }
    }

    @Test
    void theUpgraderSeesTheOfferInOrderAndMaySelectASubprotocolItself() throws Exception {
        BlockingQueue<List<String>> offers = new LinkedBlockingQueue<>();
        Upgrader<Void> upgrader = request -> {
            offers.add(request.subprotocols());
            return Upgrade.accept(Headers.of("Sec-WebSocket-Protocol", "v1.chat"), null);
        };
        try (Served s = serve(serverOptions().withSubprotocols("v2.chat", "v1.chat"), upgrader);
             WebSocket ws = connectOffering(s.server(), "v2.chat", "v1.chat")) {
            assertThat(offers.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactly("v2.chat", "v1.chat");
            assertThat(ws.subprotocol()).hasValue("v1.chat");
            assertThat(ws.headers().all("Sec-WebSocket-Protocol")).containsExactly("v1.chat");
            assertThat(s.serverSide().get(WAIT.toSeconds(), TimeUnit.SECONDS)).hasValue("v1.chat");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v3.chat", "v1.chat, v2.chat"})
    void anUpgraderSelectingASubprotocolNotOfferedOrMoreThanOneGets500(String selected) throws Exception {
        // RFC 6455 §4.2.2: the selected value "MUST be one of the values from the client's handshake".
        Upgrader<Void> upgrader = request -> Upgrade.accept(Headers.of("Sec-WebSocket-Protocol", selected), null);
        try (Served s = serve(serverOptions().withSubprotocols("v1.chat"), upgrader)) {
            assertThatThrownBy(() -> connectOffering(s.server(), "v1.chat", "v2.chat").close())
                    .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.status()).isEqualTo(500));
            assertThat(s.server().connectionCount()).isZero();
        }
    }

    @Test
    void offeringSubprotocolsBothAsOptionAndAsHeaderIsRefused() {
        assertThatThrownBy(() -> WebSocket.connect(URI.create("ws://127.0.0.1:9/"),
                Headers.of("Sec-WebSocket-Protocol", "a"), clientOptions().withSubprotocols("b")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSubprotocolMustBeAnHttpToken() {
        assertThatThrownBy(() -> clientOptions().withSubprotocols("two words"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> serverOptions().withSubprotocols("a,b"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- subprotocols: a raw server's answer

    /**
     * Our client, offering {@code v1.chat, v2.chat}, against a raw server that answers 101 with these extra lines.
     * Returns the connection or what connect threw; on a throw, checks the client hung up without sending a frame.
     */
    private static Object answeredWith(List<String> responseLines) throws Exception {
        try (RawServer server = RawServer.start()) {
            FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(server.uri(), Headers.EMPTY,
                    clientOptions().withSubprotocols("v1.chat", "v2.chat")));
            try (RawServer.Peer peer = server.acceptRequest()) {
                assertThat(peer.request().first("Sec-WebSocket-Protocol")).hasValue("v1.chat, v2.chat");
                peer.answer101(responseLines);
                Throwable thrown = catchThrowable(() -> connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS));
                if (thrown == null) {
                    WebSocket ws = connecting.get();
                    FutureTask<Void> closing = inBackground(() -> {
                        ws.close();
                        return null;
                    });
                    peer.answerClose(WAIT);
                    closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    return ws;
                }
                peer.expectEndOfStream(WAIT);
                return thrown.getCause();
            }
        }
    }

    @Test
    void ourClientAcceptsAServerSelectionFromItsOffer() throws Exception {
        Object result = answeredWith(List.of("Sec-WebSocket-Protocol: v2.chat"));
        assertThat(result).isInstanceOfSatisfying(WebSocket.class,
                ws -> assertThat(ws.subprotocol()).hasValue("v2.chat"));
    }

    @Test
    void ourClientFailsWhenTheServerSelectsNoneOfItsOffer() throws Exception {
        assertThat(answeredWith(List.of())).isInstanceOf(HandshakeException.class)
                .asString().contains("none of the offered subprotocols");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v3.chat", "v1.chat, v2.chat"})
    void ourClientFailsWhenTheServerSelectsASubprotocolItDidNotOfferOrMoreThanOne(String selected) throws Exception {
        Object result = answeredWith(List.of("Sec-WebSocket-Protocol: " + selected));
        assertThat(result).isInstanceOfSatisfying(HandshakeException.class,
                e -> assertThat(e.status()).isEqualTo(101));
    }

    // ---------------------------------------------------------------- Origin (attack row 20)

    /** An echo server with this origin policy whose upgrader counts the requests that reach it. */
    private static WebSocketServer originServer(OriginPolicy policy, AtomicInteger upgrades) throws IOException {
        ServerOptions options = policy == null ? serverOptions() : serverOptions().withOriginPolicy(policy);
        return WebSocketServer.start(options, request -> {
            upgrades.incrementAndGet();
            return Upgrade.accept();
        }, echo());
    }

    private static WebSocket connectWithOrigin(WebSocketServer server, String origin) throws IOException {
        Headers headers = origin == null ? Headers.EMPTY : Headers.of("Origin", origin);
        return WebSocket.connect(uri(server), headers, clientOptions());
    }

    private static void expectRefusal(WebSocketServer server, String origin, AtomicInteger upgrades) {
        Throwable thrown = catchThrowable(() -> connectWithOrigin(server, origin).close());
        assertThat(thrown).as("connecting with Origin %s", origin).isInstanceOfSatisfying(HandshakeException.class,
                e -> assertThat(e.status()).isEqualTo(403));
        assertThat(thrown).hasMessageContaining("origin not allowed");
        assertThat(upgrades).as("upgrader runs for a refused origin").hasValue(0);
        assertThat(server.connectionCount()).isZero();
    }

    private static void expectAccepted(WebSocketServer server, String origin) throws IOException {
        try (WebSocket ws = connectWithOrigin(server, origin)) {
            ws.send("from " + origin);
            assertThat(receive(ws)).isEqualTo(Message.text("from " + origin));
        }
    }

    @Test
    void attackRow20TheDefaultPolicyAllowsAPageFromTheServersOwnHostAndPort() throws Exception {
        AtomicInteger upgrades = new AtomicInteger();
        try (WebSocketServer server = originServer(null, upgrades)) {
            expectAccepted(server, "http://127.0.0.1:" + server.port());
            expectAccepted(server, "https://127.0.0.1:" + server.port());
            assertThat(upgrades).hasValue(2);
        }
    }

    @Test
    void attackRow20TheDefaultPolicyAllowsARequestWithoutOrigin() throws Exception {
        AtomicInteger upgrades = new AtomicInteger();
        try (WebSocketServer server = originServer(null, upgrades)) {
            expectAccepted(server, null);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://evil.test", "null", "http://127.0.0.1", "http://127.0.0.1:1",
            "http://localhost:PORT", "http://127.0.0.1:PORT.evil.test", "http://127.0.0.1:PORT@evil.test",
            "file:///home/user/page.html", "", "127.0.0.1:PORT"})
    void attackRow20TheDefaultPolicyRefusesAnyOtherOriginWith403BeforeTheUpgraderRuns(String origin)
            throws Exception {
        AtomicInteger upgrades = new AtomicInteger();
        try (WebSocketServer server = originServer(null, upgrades)) {
            expectRefusal(server, origin.replace("PORT", Integer.toString(server.port())), upgrades);
        }
    }

    @Test
    void attackRow20SameHostOrAllowsTheListedOriginsAndTheServersOwn() throws Exception {
        AtomicInteger upgrades = new AtomicInteger();
        OriginPolicy policy = OriginPolicy.sameHostOr("https://app.example", "http://Trusted.test:8080/");
        try (WebSocketServer server = originServer(policy, upgrades)) {
            expectAccepted(server, "https://app.example");
            expectAccepted(server, "http://trusted.test:8080");
            expectAccepted(server, "http://127.0.0.1:" + server.port());
            expectAccepted(server, null);
            assertThat(upgrades).hasValue(4);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example", "http://app.example", "https://app.example:444",
            "https://app.example.evil.test", "null"})
    void attackRow20SameHostOrRefusesOriginsNotListed(String origin) throws Exception {
        AtomicInteger upgrades = new AtomicInteger();
        try (WebSocketServer server = originServer(OriginPolicy.sameHostOr("https://app.example"), upgrades)) {
            expectRefusal(server, origin, upgrades);
        }
    }

    @Test
    void anyAllowsEveryOrigin() throws Exception {
        AtomicInteger upgrades = new AtomicInteger();
        try (WebSocketServer server = originServer(OriginPolicy.any(), upgrades)) {
            expectAccepted(server, "http://evil.test");
            expectAccepted(server, "null");
            assertThat(upgrades).hasValue(2);
        }
    }

    @Test
    void sameHostOrWithAStarAllowsEveryOrigin() {
        assertThat(OriginPolicy.sameHostOr("*").allows("http://evil.test", "example.com", false)).isTrue();
    }

    /** The policy as a function: Origin, Host, whether the server runs TLS. */
    @ParameterizedTest
    @CsvSource({
            "https://example.com,      example.com,      true,  true",
            "https://example.com:443,  example.com,      true,  true",
            "http://example.com,       example.com,      false, true",
            "http://example.com:80,    example.com:80,   false, true",
            "http://example.com,       example.com,      true,  false",
            "https://example.com,      example.com,      false, false",
            "http://EXAMPLE.com:8080,  example.COM:8080, false, true",
            "http://example.com,       example.com:8080, false, false",
            "http://[::1]:8080,        [::1]:8080,       false, true",
            "http://sub.example.com,   example.com,      false, false",
            "null,                     example.com,      false, false"})
    void sameHostComparesHostAndPortWithTheSchemesDefaultPortFilledIn(String origin, String host, boolean secure,
                                                                      boolean allowed) {
        assertThat(OriginPolicy.sameHost().allows(origin, host, secure)).isEqualTo(allowed);
    }

    // ---------------------------------------------------------------- cookies and query, before the 101

    @Test
    void theUpgraderSeesTheCookiesAndTheQuery() throws Exception {
        BlockingQueue<HandshakeRequest> requests = new LinkedBlockingQueue<>();
        Upgrader<Void> upgrader = request -> {
            requests.add(request);
            return Upgrade.accept();
        };
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), upgrader, echo());
             WebSocket ws = WebSocket.connect(uri(server.port(), "/room/1?user=ada&x=%2F"),
                     Headers.of("Cookie", "session=abc123; theme=dark", "Cookie", "session=other; lang=\"en\""),
                     clientOptions())) {
            HandshakeRequest request = requests.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(request.path()).isEqualTo("/room/1");
            assertThat(request.query()).isEqualTo("user=ada&x=%2F");
            assertThat(request.cookies()).containsExactly(Map.entry("session", "abc123"), Map.entry("theme", "dark"),
                    Map.entry("lang", "\"en\""));
        }
    }

    @Test
    void aRequestWithoutQueryOrCookiesHasAnEmptyQueryAndNoCookies() {
        HandshakeRequest request = new HandshakeRequest("GET /chat HTTP/1.1", "GET", "/chat", Headers.EMPTY);
        assertThat(request.path()).isEqualTo("/chat");
        assertThat(request.query()).isEmpty();
        assertThat(request.cookies()).isEmpty();
    }

    @Test
    void attackRow20AnUpgraderCheckingASessionCookieTurnsAwayARequestWithoutItBeforeThe101() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        Upgrader<String> upgrader = request -> {
            String session = request.cookies().get("session");
            return "s3cret".equals(session) ? Upgrade.accept(Headers.EMPTY, session)
                    : Upgrade.reject(401, "log in first");
        };
        try (WebSocketServer server = WebSocketServer.start(serverOptions(), upgrader, (ws, session) -> {
            handled.incrementAndGet();
            ws.send("hello " + session);
        })) {
            assertThatThrownBy(() -> WebSocket.connect(uri(server), Headers.of("Cookie", "session=guess"),
                    clientOptions()).close())
                    .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.status()).isEqualTo(401))
                    .hasMessageContaining("log in first");
            try (WebSocket ws = WebSocket.connect(uri(server), Headers.of("Cookie", "session=s3cret"),
                    clientOptions())) {
                assertThat(receive(ws)).isEqualTo(Message.text("hello s3cret"));
            }
            assertThat(handled).hasValue(1);
        }
    }
}
