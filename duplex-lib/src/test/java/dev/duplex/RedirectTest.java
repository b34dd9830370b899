package dev.duplex;

import dev.duplex.io.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.Loopback.clientOptions;
import static dev.duplex.io.Loopback.echo;
import static dev.duplex.io.Loopback.receive;
import static dev.duplex.io.Loopback.serverOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Redirects during the opening handshake (301, 302, 303, 307, 308): followed only when allowed, to at most the
 * allowed number, never from {@code wss} down to {@code ws}, and without the caller's credentials once the host or
 * port changes (attack row 14). A {@link Redirector} on a plain or TLS server socket answers each request as the test
 * says and records what it was sent; our echo server, behind an upgrader that records requests, is where redirects
 * land.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RedirectTest {

    /** The credentials a caller gives, and a header that is not one. */
    private static final Headers CREDENTIALS = Headers.of("Authorization", "Bearer t0k3n", "Cookie", "session=s3cret",
            "Proxy-Authorization", "Basic cHJveHk6cHc=", "X-Trace", "kept");

    @TempDir
    static Path directory;
    private static TestCertificates certificates;
    private static SSLContext serverTls;
    private static SSLContext clientTls;

    private WebSocketServer landing;
    private final BlockingQueue<HandshakeRequest> landed = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = TestCertificates.create(directory);
        serverTls = Tls.serverContext(certificates.rsaCertificate(), certificates.rsaKey());
        clientTls = Tls.trusting(certificates.ca());
    }

    @BeforeEach
    void startLanding() throws IOException {
        landing = landingServer(null);
    }

    @AfterEach
    void stopAll() throws Exception {
        landing.close();
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    /** An echo server whose upgrader records each request: where redirects should end. */
    private WebSocketServer landingServer(SSLContext tls) throws IOException {
        WebSocketServer server = WebSocketServer.start(serverOptions().withTls(tls), request -> {
            landed.add(request);
            return Upgrade.accept();
        }, echo());
        if (tls != null) {
            resources.add(server);
        }
        return server;
    }

    private Redirector redirector(SSLContext tls, Function<Request, Answer> answers) throws IOException {
        Redirector r = new Redirector(tls, answers);
        resources.add(r);
        return r;
    }

    private static ClientOptions following(int redirects) {
        return clientOptions().withTls(clientTls).withMaxRedirects(redirects);
    }

    private static void expectEcho(WebSocket ws) throws IOException {
        ws.send("landed");
        assertThat(receive(ws)).isEqualTo(Message.text("landed"));
    }

    // ---------------------------------------------------------------- following

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 303, 307, 308})
    void everyRedirectStatusIsFollowedWhenRedirectsAreAllowed(int status) throws Exception {
        Redirector r = redirector(null, request -> Answer.redirect(status,
                "ws://127.0.0.1:" + landing.port() + "/landed?from=" + status));
        try (WebSocket ws = WebSocket.connect(r.uri("/start"), Headers.EMPTY, following(1))) {
            expectEcho(ws);
        }
        assertThat(r.requests()).extracting(Request::startLine).containsExactly("GET /start HTTP/1.1");
        assertThat(landed.poll(WAIT.toSeconds(), TimeUnit.SECONDS).target()).isEqualTo("/landed?from=" + status);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws://127.0.0.1:LANDING/landed", "http://127.0.0.1:LANDING/landed",
            "//127.0.0.1:LANDING/landed", "/landed", "landed", "../landed", "/landed?q=%2F"})
    void aLocationOfEveryFormIsResolvedAgainstTheRequestAndFollowed(String location) throws Exception {
        // Relative locations land on the redirector again, which passes those requests on to the landing server.
        Redirector r = redirector(null, request -> request.startLine().startsWith("GET /dir/start")
                ? Answer.redirect(302, location.replace("LANDING", Integer.toString(landing.port())))
                : Answer.forwardTo(landing.port()));
        try (WebSocket ws = WebSocket.connect(r.uri("/dir/start"), Headers.EMPTY, following(1))) {
            expectEcho(ws);
        }
        String expected = location.equals("landed") ? "/dir/landed"
                : location.endsWith("?q=%2F") ? "/landed?q=%2F" : "/landed";
        assertThat(landed.poll(WAIT.toSeconds(), TimeUnit.SECONDS).target()).isEqualTo(expected);
    }

    @Test
    void aWsRedirectToWssIsFollowed() throws Exception {
        WebSocketServer secure = landingServer(serverTls);
        Redirector r = redirector(null, request -> Answer.redirect(301, "wss://localhost:" + secure.port() + "/tls"));
        try (WebSocket ws = WebSocket.connect(r.uri("/"), Headers.EMPTY, following(1))) {
            expectEcho(ws);
        }
        assertThat(landed.poll(WAIT.toSeconds(), TimeUnit.SECONDS).target()).isEqualTo("/tls");
    }

    @ParameterizedTest
    @ValueSource(strings = {"wss", "https"})
    void aWssRedirectToAnotherSecureLocationIsFollowed(String scheme) throws Exception {
        WebSocketServer secure = landingServer(serverTls);
        Redirector r = redirector(serverTls, request -> Answer.redirect(308,
                scheme + "://localhost:" + secure.port() + "/tls"));
        try (WebSocket ws = WebSocket.connect(r.secureUri("/"), Headers.EMPTY, following(1))) {
            expectEcho(ws);
        }
        assertThat(landed.poll(WAIT.toSeconds(), TimeUnit.SECONDS).target()).isEqualTo("/tls");
    }

    // ---------------------------------------------------------------- not following

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 303, 307, 308})
    void byDefaultARedirectSurfacesAsAHandshakeExceptionWithItsStatus(int status) throws Exception {
        String location = "ws://127.0.0.1:" + landing.port() + "/landed";
        Redirector r = redirector(null, request -> Answer.redirect(status, location));
        Throwable thrown = catchThrowable(() -> WebSocket.connect(r.uri("/"), Headers.EMPTY, clientOptions()).close());
        assertThat(thrown).isInstanceOfSatisfying(HandshakeException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.headers().first("Location")).hasValue(location);
        });
        assertThat(r.requests()).hasSize(1);
        assertThat(landed).isEmpty();
    }

    @Test
    void moreRedirectsThanAllowedGiveUpWithAHandshakeException() throws Exception {
        Redirector r = redirector(null, request -> Answer.redirect(302, "/again"));
        Throwable thrown = catchThrowable(() -> WebSocket.connect(r.uri("/"), Headers.EMPTY, following(2)).close());
        assertThat(thrown).isInstanceOfSatisfying(HandshakeException.class,
                e -> assertThat(e.status()).isEqualTo(302)).hasMessageContaining("gave up after 2 redirects");
        // The first request and the two redirects followed; the connect was synchronous, so all are recorded.
        assertThat(r.requests()).extracting(Request::startLine)
                .containsExactly("GET / HTTP/1.1", "GET /again HTTP/1.1", "GET /again HTTP/1.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws://127.0.0.1:LANDING/", "http://127.0.0.1:LANDING/", "WS://127.0.0.1:LANDING/"})
    void attackRow14ARedirectFromWssToAnInsecureLocationIsRefused(String location) throws Exception {
        Redirector r = redirector(serverTls, request -> Answer.redirect(302,
                location.replace("LANDING", Integer.toString(landing.port()))));
        Throwable thrown = catchThrowable(() -> WebSocket.connect(r.secureUri("/"), CREDENTIALS, following(5))
                .close());
        assertThat(thrown).isInstanceOfSatisfying(HandshakeException.class,
                e -> assertThat(e.status()).isEqualTo(302))
                .hasMessageContaining("refused a redirect from a secure connection to an insecure one");
        assertThat(landed).as("requests that reached the insecure location").isEmpty();
        assertThat(landing.connectionCount()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ftp://127.0.0.1:LANDING/       | not ws, wss, http or https",
            "file:///etc/passwd             | not ws, wss, http or https",
            "javascript:alert(1)            | not ws, wss, http or https",
            "ws:///no-host                  | without a host",
            "'http://127.0.0.1:LANDING/a b' | invalid Location"})
    void aLocationThatCannotBeFollowedIsRefused(String location, String message) throws Exception {
        Redirector r = redirector(null, request -> Answer.redirect(302,
                location.replace("LANDING", Integer.toString(landing.port()))));
        Throwable thrown = catchThrowable(() -> WebSocket.connect(r.uri("/"), Headers.EMPTY, following(5)).close());
        assertThat(thrown).isInstanceOf(HandshakeException.class).hasMessageContaining(message);
        assertThat(r.requests()).hasSize(1);
        assertThat(landed).isEmpty();
    }

    @Test
    void aRedirectWithoutALocationIsRefused() throws Exception {
        Redirector r = redirector(null, request -> Answer.redirect(307, null));
        Throwable thrown = catchThrowable(() -> WebSocket.connect(r.uri("/"), Headers.EMPTY, following(5)).close());
        assertThat(thrown).isInstanceOfSatisfying(HandshakeException.class,
                e -> assertThat(e.status()).isEqualTo(307)).hasMessageContaining("without a Location");
    }

    // ---------------------------------------------------------------- credentials (attack row 14)

    @Test
    void attackRow14CredentialsAreDroppedWhenARedirectChangesTheHost() throws Exception {
        // 127.0.0.1 and localhost are the same machine and port, but not the same host to a client.
        Redirector r = redirector(null, request -> request.startLine().startsWith("GET /start")
                ? Answer.redirect(302, "ws://localhost:" + request.localPort() + "/next")
                : Answer.forwardTo(landing.port()));
        try (WebSocket ws = WebSocket.connect(r.uri("/start"), CREDENTIALS, following(1))) {
            expectEcho(ws);
        }
        List<Request> requests = r.requests();
        assertThat(requests).hasSize(2);
        assertCredentials(requests.get(0).headers(), true);
        assertThat(requests.get(1).headers().first("Host")).hasValue("localhost:" + r.port());
        assertCredentials(requests.get(1).headers(), false);
    }

    @Test
    void attackRow14CredentialsAreDroppedWhenARedirectChangesThePort() throws Exception {
        Redirector r = redirector(null, request -> Answer.redirect(307,
                "ws://127.0.0.1:" + landing.port() + "/landed"));
        try (WebSocket ws = WebSocket.connect(r.uri("/start"), CREDENTIALS, following(1))) {
            expectEcho(ws);
        }
        assertCredentials(r.requests().getFirst().headers(), true);
        assertCredentials(landed.poll(WAIT.toSeconds(), TimeUnit.SECONDS).headers(), false);
    }

    @Test
    void attackRow14BasicCredentialsFromUserInformationAreDroppedWhenTheHostChanges() throws Exception {
        Redirector r = redirector(null, request -> request.startLine().startsWith("GET /start")
                ? Answer.redirect(302, "ws://localhost:" + request.localPort() + "/next")
                : Answer.forwardTo(landing.port()));
        URI withUser = URI.create("ws://user:pw@127.0.0.1:" + r.port() + "/start");
        try (WebSocket ws = WebSocket.connect(withUser, Headers.EMPTY, following(1))) {
            expectEcho(ws);
        }
        List<Request> requests = r.requests();
        assertThat(requests.get(0).headers().first("Authorization")).isPresent();
        assertThat(requests.get(1).headers().contains("Authorization")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/next", "ws://127.0.0.1:SELF/next", "http://127.0.0.1:SELF/next"})
    void credentialsAreKeptWhenARedirectStaysOnTheSameHostAndPort(String location) throws Exception {
        Redirector r = redirector(null, request -> request.startLine().startsWith("GET /start")
                ? Answer.redirect(302, location.replace("SELF", Integer.toString(request.localPort())))
                : Answer.forwardTo(landing.port()));
        try (WebSocket ws = WebSocket.connect(r.uri("/start"), CREDENTIALS, following(1))) {
            expectEcho(ws);
        }
        List<Request> requests = r.requests();
        assertThat(requests).extracting(Request::startLine)
                .containsExactly("GET /start HTTP/1.1", "GET /next HTTP/1.1");
        assertCredentials(requests.get(1).headers(), true);
    }

    private static void assertCredentials(Headers headers, boolean present) {
        for (String name : List.of("Authorization", "Cookie", "Proxy-Authorization")) {
            assertThat(headers.contains(name)).as("%s in %s", name, headers).isEqualTo(present);
        }
        assertThat(headers.first("X-Trace")).as("a header that is not a credential").hasValue("kept");
    }

    // ---------------------------------------------------------------- the redirector

    /** A request the redirector read: its start-line, header fields, the port it arrived on, and its bytes. */
    record Request(String startLine, Headers headers, int localPort, byte[] raw) {
    }

    /** What the redirector does with a request. */
    sealed interface Answer {
        /** A 3xx answer with this Location, or none when {@code location} is null. */
        static Answer redirect(int status, String location) {
            return new Redirect(status, location);
        }

        /** Passes the request, and everything after it, on to 127.0.0.1:port. */
        static Answer forwardTo(int port) {
            return new Forward(port);
        }

        record Redirect(int status, String location) implements Answer {
        }

        record Forward(int port) implements Answer {
        }
    }

    /**
     * A server on 127.0.0.1, port 0, plain or TLS, that reads each request head, records it, and answers it as
     * {@code answers} says: a redirect, or a pass-through to another local port. One virtual thread per connection.
     */
    static final class Redirector implements AutoCloseable {

        private final ServerSocket serverSocket;
        private final Function<Request, Answer> answers;
        private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
        private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

        Redirector(SSLContext tls, Function<Request, Answer> answers) throws IOException {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            this.serverSocket = tls == null ? new ServerSocket(0, 50, loopback)
                    : tls.getServerSocketFactory().createServerSocket(0, 50, loopback);
            this.answers = answers;
            Thread.ofVirtual().name("test-redirector").start(this::acceptLoop);
        }

        int port() {
            return serverSocket.getLocalPort();
        }

        URI uri(String target) {
            return URI.create("ws://127.0.0.1:" + port() + target);
        }

        URI secureUri(String target) {
            return URI.create("wss://localhost:" + port() + target);
        }

        /** The requests read so far, in order. */
        List<Request> requests() {
            return List.copyOf(requests);
        }

        private void acceptLoop() {
            while (!serverSocket.isClosed()) {
                try {
                    Socket s = serverSocket.accept();
                    sockets.add(s);
                    Thread.ofVirtual().name("test-redirector-conn").start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket client) {
            try (client) {
                client.setSoTimeout((int) WAIT.toMillis());
                byte[] raw = readHead(client.getInputStream());
                String[] lines = new String(raw, StandardCharsets.ISO_8859_1).split("\r\n");
                List<Headers.Field> fields = new ArrayList<>();
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    fields.add(new Headers.Field(lines[i].substring(0, colon), lines[i].substring(colon + 1).strip()));
                }
                Request request = new Request(lines[0], Headers.of(fields), client.getLocalPort(), raw);
                requests.add(request);
                switch (answers.apply(request)) {
                    case Answer.Redirect r -> {
                        OutputStream out = client.getOutputStream();
                        out.write(("HTTP/1.1 " + r.status() + " Moved\r\n"
                                + (r.location() == null ? "" : "Location: " + r.location() + "\r\n")
                                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    }
                    case Answer.Forward f -> forward(client, raw, f.port());
                }
            } catch (IOException | RuntimeException e) {
                // the client went away; nothing to answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void forward(Socket client, byte[] head, int port) throws IOException, InterruptedException {
            try (Socket target = new Socket()) {
                sockets.add(target);
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                target.getOutputStream().write(head);
                client.setSoTimeout(0);
                Thread up = Thread.ofVirtual().name("test-redirector-up").start(() -> pipe(client, target));
                pipe(target, client);
                up.join(WAIT.toMillis());
            }
        }

        /** Copies until the end of stream, then passes the end on (TLS, having no half-close, closes instead). */
        private static void pipe(Socket from, Socket to) {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
                if (to instanceof SSLSocket) {
                    to.close();
                } else {
                    to.shutdownOutput();
                }
            } catch (IOException e) {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // both are gone
                }
            }
        }

        /** Reads through the empty line that ends a head, and returns all of it. */
        private static byte[] readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while (matched < 4) {
                if (head.size() > 64 * 1024) {
                    throw new IOException("request head too long");
                }
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the client hung up inside its request head");
                }
                head.write(b);
                matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            }
            return head.toByteArray();
        }

        @Override
        public void close() throws IOException {
            serverSocket.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
