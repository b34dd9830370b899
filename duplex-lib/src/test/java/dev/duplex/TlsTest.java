package dev.duplex;

import dev.duplex.io.Loopback;
import dev.duplex.io.RawClient;
import dev.duplex.io.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static dev.duplex.io.Loopback.LIMITS;
import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.Loopback.asciiText;
import static dev.duplex.io.Loopback.clientOptions;
import static dev.duplex.io.Loopback.echoServer;
import static dev.duplex.io.Loopback.inBackground;
import static dev.duplex.io.Loopback.pattern;
import static dev.duplex.io.Loopback.receive;
import static dev.duplex.io.Loopback.receiveWithin;
import static dev.duplex.io.Loopback.serverOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code wss://}: our client and our server over TLS with certificates made for the run by {@link TestCertificates}
 * (a private CA the client trusts through {@link Tls#trusting}), each form of server key {@link Tls} reads, SNI, and
 * every way a TLS connection can fail, each of which must end in a clear exception within a bounded time.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsTest {

    private static final int MIB = 1 << 20;
    /** A refused TLS handshake must end well within the 10 s handshake timeout, so a hang shows as a failure. */
    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofMillis(500);
    /** What a timeout may overrun by on two busy cores before the test calls it a failure. */
    private static final Duration SLACK = Duration.ofSeconds(2);

    @TempDir
    static Path directory;
    private static TestCertificates certificates;
    private static SSLContext trustTestCa;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = TestCertificates.create(directory);
        trustTestCa = Tls.trusting(certificates.ca());
    }

    /** The forms a server's key comes in, each read by its own {@link Tls#serverContext} path. */
    enum KeyForm {
        PKCS8_RSA {
            @Override
            SSLContext context(TestCertificates c) throws IOException, GeneralSecurityException {
                return Tls.serverContext(c.rsaCertificate(), c.rsaKey());
            }
        },
        SEC1_EC {
            @Override
            SSLContext context(TestCertificates c) throws IOException, GeneralSecurityException {
                return Tls.serverContext(c.ecCertificate(), c.ecKey());
            }
        },
        PKCS1_RSA {
            @Override
            SSLContext context(TestCertificates c) throws IOException, GeneralSecurityException {
                return Tls.serverContext(c.rsaCertificate(), c.rsaPkcs1Key());
            }
        },
        PKCS12 {
            @Override
            SSLContext context(TestCertificates c) throws IOException, GeneralSecurityException {
                return Tls.serverContext(c.pkcs12(), TestCertificates.PASSWORD.toCharArray());
            }
        };

        abstract SSLContext context(TestCertificates c) throws IOException, GeneralSecurityException;
    }

    private static SSLContext serving(Path certificate) throws IOException, GeneralSecurityException {
        return Tls.serverContext(certificate, certificates.rsaKey());
    }

    private static WebSocketServer tlsEchoServer(SSLContext context) throws IOException {
        return echoServer(serverOptions().withTls(context));
    }

    private static URI wss(String host, int port) {
        return URI.create("wss://" + host + ":" + port + "/");
    }

    private static ClientOptions trustingTheTestCa() {
        return clientOptions().withTls(trustTestCa);
    }

    /** Connects and expects a failure within {@link #PROMPTLY}; returns what was thrown. */
    private static Throwable refusedPromptly(URI uri, ClientOptions options) {
        return Loopback.refusedWithin(uri, options, PROMPTLY);
    }

    // ---------------------------------------------------------------- our client and our server

    @ParameterizedTest
    @EnumSource(KeyForm.class)
    void textBinaryAndOneMebibyteMessagesEchoOverWssForEveryServerKeyForm(KeyForm form) throws Exception {
        try (WebSocketServer server = tlsEchoServer(form.context(certificates));
             WebSocket ws = WebSocket.connect(wss("localhost", server.port()), Headers.EMPTY, trustingTheTestCa())) {
            ws.send("hello over TLS · ü €");
            assertThat(receive(ws)).isEqualTo(Message.text("hello over TLS · ü €"));

            byte[] small = pattern(1000, 1);
            ws.send(ByteBuffer.wrap(small));
            assertThat(receive(ws).toBytes()).isEqualTo(small);

            byte[] big = pattern(MIB, 2);
            ws.send(ByteBuffer.wrap(big));
            Message bigEcho = receiveWithin(ws, Duration.ofSeconds(20));
            assertThat(bigEcho).isInstanceOf(Message.Binary.class);
            assertThat(Arrays.equals(bigEcho.toBytes(), big)).as("1 MiB binary echoed unchanged").isTrue();

            String bigText = asciiText(MIB);
            ws.send(bigText);
            Message textEcho = receiveWithin(ws, Duration.ofSeconds(20));
            assertThat(textEcho).isInstanceOf(Message.Text.class);
            assertThat(((Message.Text) textEcho).text().equals(bigText)).as("1 MiB text echoed unchanged").isTrue();

            ws.close();
            assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1000);
            assertThat(ws.receive()).isNull();
        }
    }

    @Test
    void aWssUriWithAnIpAddressIsVerifiedAgainstTheCertificatesIpAddressName() throws Exception {
        try (WebSocketServer server = tlsEchoServer(KeyForm.PKCS8_RSA.context(certificates));
             WebSocket ws = WebSocket.connect(wss("127.0.0.1", server.port()), Headers.EMPTY, trustingTheTestCa())) {
            ws.send("by address");
            assertThat(receive(ws)).isEqualTo(Message.text("by address"));
        }
    }

    @Test
    void aServerThatEndsAWssConnectionEndsTheClientsStreamCleanly() throws Exception {
        // TLS has no half-close: the server's Close frame and close_notify go out together.
        try (WebSocketServer server = WebSocketServer.start(serverOptions().withTls(serving(
                certificates.rsaCertificate())), (ws, state) -> ws.send("bye"));
             WebSocket ws = WebSocket.connect(wss("localhost", server.port()), Headers.EMPTY, trustingTheTestCa())) {
            assertThat(receive(ws)).isEqualTo(Message.text("bye"));
            assertThat(receive(ws)).as("the end of the stream").isNull();
            assertThat(ws.closeStatus()).map(CloseStatus::code).hasValue(1000);
        }
    }

    @Test
    void aClientThatClosesAWssConnectionEndsTheServersStreamCleanly() throws Exception {
        CompletableFuture<String> ending = new CompletableFuture<>();
        Handler<Void> handler = (ws, state) -> {
            try {
                for (Message m; (m = ws.receive()) != null; ) {
                    ws.send(m);
                }
                ending.complete("clean end with " + ws.closeStatus().map(CloseStatus::code).orElse(0));
            } catch (WebSocketException e) {
                ending.complete("failure: " + e.getMessage());
            }
        };
        try (WebSocketServer server = WebSocketServer.start(serverOptions().withTls(serving(
                certificates.rsaCertificate())), handler);
             WebSocket ws = WebSocket.connect(wss("localhost", server.port()), Headers.EMPTY, trustingTheTestCa())) {
            ws.send("last words");
            assertThat(receive(ws)).isEqualTo(Message.text("last words"));
            ws.close();
            assertThat(ending.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("clean end with 1000");
            assertThat(ws.receive()).isNull();
        }
    }

    // ---------------------------------------------------------------- SNI

    @Test
    void theClientSendsTheHostNameAsServerNameIndication() throws Exception {
        assertThat(serverNamesRequestedConnectingTo("localhost")).containsExactly(new SNIHostName("localhost"));
    }

    @Test
    void theClientSendsNoServerNameIndicationForAnIpAddress() throws Exception {
        // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in "HostName"."
        assertThat(serverNamesRequestedConnectingTo("127.0.0.1")).isEmpty();
    }

    /**
     * Connects our client to a plain JSSE server socket that completes the TLS handshake, notes the server names the
     * client asked for, and refuses the WebSocket request with 403.
     */
    private static List<SNIServerName> serverNamesRequestedConnectingTo(String host) throws Exception {
        SSLContext context = serving(certificates.rsaCertificate());
        try (SSLServerSocket listener = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout((int) WAIT.toMillis());
            CompletableFuture<List<SNIServerName>> names = new CompletableFuture<>();
            Thread server = Thread.ofVirtual().name("test-sni-server").start(() -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                    socket.setSoTimeout((int) WAIT.toMillis());
                    socket.startHandshake();
                    names.complete(((ExtendedSSLSession) socket.getSession()).getRequestedServerNames());
                    readHead(socket.getInputStream());
                    OutputStream out = socket.getOutputStream();
                    out.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (Throwable e) {
                    names.completeExceptionally(e);
                }
            });
            Throwable thrown = refusedPromptly(wss(host, listener.getLocalPort()), trustingTheTestCa());
            assertThat(thrown).isInstanceOfSatisfying(HandshakeException.class,
                    e -> assertThat(e.status()).isEqualTo(403));
            server.join(WAIT.toMillis());
            return names.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int i = 0; i < 64 * 1024 && matched < 4; i++) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the client hung up inside its request");
            }
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
    }

    // ---------------------------------------------------------------- refusals: a clear exception, never a hang

    @Test
    void aSelfSignedCertificateIsRefusedByTheJdksDefaultTrust() throws Exception {
        try (WebSocketServer server = tlsEchoServer(serving(certificates.selfSignedCertificate()))) {
            Throwable thrown = refusedPromptly(wss("localhost", server.port()), clientOptions());
            assertThat(thrown).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("TLS handshake with localhost:" + server.port())
                    .hasRootCauseInstanceOf(CertPathBuilderException.class);
        }
    }

    @Test
    void aCertificateNotIssuedByTheTrustedCaIsRefused() throws Exception {
        try (WebSocketServer server = tlsEchoServer(serving(certificates.selfSignedCertificate()))) {
            Throwable thrown = refusedPromptly(wss("localhost", server.port()), trustingTheTestCa());
            assertThat(thrown).isInstanceOf(SSLHandshakeException.class)
                    .hasRootCauseInstanceOf(CertPathBuilderException.class);
        }
    }

    /** Attack row 1 (CVE-2020-11050): a wss client must verify the host name, by default. */
    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.1"})
    void attackRow1ACertificateForAnotherHostIsRefusedByDefault(String host) throws Exception {
        // The certificate chains to the CA the client trusts; only its name (DNS:other.test) is wrong.
        try (WebSocketServer server = tlsEchoServer(serving(certificates.wrongHostCertificate()))) {
            Throwable thrown = refusedPromptly(wss(host, server.port()), trustingTheTestCa());
            assertThat(thrown).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("TLS handshake with " + host + ":" + server.port())
                    .hasRootCauseExactlyInstanceOf(CertificateException.class);
            assertThat(rootCause(thrown).getMessage()).contains(host);
        }
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        try (WebSocketServer server = tlsEchoServer(serving(certificates.expiredCertificate()))) {
            Throwable thrown = refusedPromptly(wss("localhost", server.port()), trustingTheTestCa());
            assertThat(thrown).isInstanceOf(SSLHandshakeException.class)
                    .hasRootCauseInstanceOf(CertificateExpiredException.class);
        }
    }

    @Test
    void plaintextWsToATlsPortGets400SayingToUseWss() throws Exception {
        try (WebSocketServer server = tlsEchoServer(serving(certificates.rsaCertificate()))) {
            Throwable thrown = refusedPromptly(URI.create("ws://127.0.0.1:" + server.port() + "/"), clientOptions());
            assertThat(thrown).isInstanceOfSatisfying(HandshakeException.class,
                    e -> assertThat(e.status()).isEqualTo(400));
            assertThat(thrown).hasMessageContaining("wss://");
        }
    }

    @Test
    void wssToAPlaintextPortFailsWithAnSslExceptionAndTheServerServesOthers() throws Exception {
        try (WebSocketServer server = echoServer(serverOptions())) {
            Throwable thrown = refusedPromptly(wss("localhost", server.port()), trustingTheTestCa());
            assertThat(thrown).isInstanceOf(SSLException.class);
            try (WebSocket ws = dev.duplex.io.Loopback.connect(server)) {
                ws.send("still here");
                assertThat(receive(ws)).isEqualTo(Message.text("still here"));
            }
        }
    }

    // ---------------------------------------------------------------- the server's TLS handshake is bounded

    private static WebSocketServer impatientTlsEchoServer() throws Exception {
        return echoServer(serverOptions().withTls(serving(certificates.rsaCertificate()))
                .withLimits(LIMITS.withHandshakeTimeout(HANDSHAKE_TIMEOUT)));
    }

    @Test
    void aClientThatConnectsAndSendsNothingIsDroppedAfterTheHandshakeTimeoutWhileOthersAreServed() throws Exception {
        try (WebSocketServer server = impatientTlsEchoServer();
             RawClient silent = RawClient.connect(server.port())) {
            long start = System.nanoTime();
            try (WebSocket ws = WebSocket.connect(wss("localhost", server.port()), Headers.EMPTY,
                    trustingTheTestCa())) {
                ws.send("served meanwhile");
                assertThat(receive(ws)).isEqualTo(Message.text("served meanwhile"));
            }
            silent.readToEof(HANDSHAKE_TIMEOUT.plus(SLACK));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time until the silent client was dropped")
                    .isLessThan(HANDSHAKE_TIMEOUT.plus(SLACK));
            try (WebSocket ws = WebSocket.connect(wss("localhost", server.port()), Headers.EMPTY,
                    trustingTheTestCa())) {
                ws.send("served after");
                assertThat(receive(ws)).isEqualTo(Message.text("served after"));
            }
        }
    }

    @Test
    void aTlsClientHelloTrickledAByteAtATimeIsCutOffAtTheHandshakeTimeout() throws Exception {
        try (WebSocketServer server = impatientTlsEchoServer()) {
            byte[] hello = clientHello(server.port());
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(50);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                long start = System.nanoTime();
                long deadline = start + HANDSHAKE_TIMEOUT.plus(SLACK).toNanos();
                boolean hungUp = false;
                // One byte every 50 ms: each read of the server's sees a byte well within its read timeout, so only
                // a deadline on the whole handshake ends this before the hello is complete (tens of seconds).
                for (int i = 0; !hungUp && System.nanoTime() - deadline < 0 && i < 100_000; i++) {
                    try {
                        if (i < hello.length) {
                            out.write(hello[i]);
                            out.flush();
                        }
                        hungUp = in.read() < 0;
                    } catch (SocketTimeoutException e) {
                        // no answer yet: the server is still waiting for the rest of the hello
                    } catch (IOException e) {
                        hungUp = true; // reset by the server
                    }
                }
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(hungUp).as("the server hung up within %s of the trickled %d-byte ClientHello",
                        HANDSHAKE_TIMEOUT.plus(SLACK), hello.length).isTrue();
                assertThat(took).isLessThan(HANDSHAKE_TIMEOUT.plus(SLACK));
            }
        }
    }

    // ---------------------------------------------------------------- the client's TLS handshake is bounded

    private static ClientOptions impatientClient() {
        return trustingTheTestCa().withLimits(LIMITS.withHandshakeTimeout(HANDSHAKE_TIMEOUT));
    }

    @Test
    void aServerThatNeverAnswersTheClientHelloFailsTheClientAtItsHandshakeTimeout() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout((int) WAIT.toMillis());
            FutureTask<Socket> accepted = inBackground(listener::accept);
            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> WebSocket.connect(wss("localhost", listener.getLocalPort()),
                    Headers.EMPTY, impatientClient()).close());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            try (Socket ignored = accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                assertThat(thrown).isInstanceOf(IOException.class);
                assertThat(took).isLessThan(HANDSHAKE_TIMEOUT.plus(SLACK));
            }
        }
    }

    @Test
    void aServerThatTricklesItsTlsAnswerIsCutOffAtTheClientsHandshakeTimeout() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout((int) WAIT.toMillis());
            long deadline = System.nanoTime() + HANDSHAKE_TIMEOUT.plus(SLACK).plus(SLACK).toNanos();
            // A handshake record header announcing 16 KiB, then one byte of it every 50 ms: JSSE waits for the
            // whole record, and each of its reads sees a byte well within the read timeout.
            FutureTask<Void> trickling = inBackground(() -> {
                try (Socket s = listener.accept()) {
                    s.setSoTimeout(50);
                    OutputStream out = s.getOutputStream();
                    out.write(new byte[] {0x16, 0x03, 0x03, 0x40, 0x00});
                    byte[] sink = new byte[4096];
                    for (int i = 0; i < 16_384 && System.nanoTime() - deadline < 0; i++) {
                        out.write(0);
                        out.flush();
                        try {
                            if (s.getInputStream().read(sink) < 0) {
                                return null; // the client hung up
                            }
                        } catch (SocketTimeoutException e) {
                            // the pace: 50 ms without a word from the client
                        }
                    }
                } catch (IOException e) {
                    // the client hung up
                }
                return null;
            });
            long start = System.nanoTime();
            FutureTask<Throwable> connecting = inBackground(() -> catchThrowable(() -> WebSocket.connect(
                    wss("localhost", listener.getLocalPort()), Headers.EMPTY, impatientClient()).close()));
            // The trickle stops at its deadline, so this returns by then even if the client never gives up.
            Throwable thrown = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(thrown).isInstanceOf(IOException.class);
            assertThat(took).as("time until connect gave up").isLessThan(HANDSHAKE_TIMEOUT.plus(SLACK));
            trickling.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** The first TLS record a JSSE client sends to {@code localhost:port}: a complete ClientHello. */
    private static byte[] clientHello(int port) throws SSLException {
        SSLEngine engine = trustTestCa.createSSLEngine("localhost", port);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        assertThat(hello[0]).as("a TLS handshake record").isEqualTo((byte) 0x16);
        return hello;
    }

    // ---------------------------------------------------------------- keys Tls cannot use

    @ParameterizedTest
    @ValueSource(strings = {"PKCS#8 ENCRYPTED PRIVATE KEY", "PKCS#1 with Proc-Type: 4,ENCRYPTED"})
    void anEncryptedPemKeyIsRefusedWithAGeneralSecurityExceptionThatSaysItIsEncrypted(String form) {
        Path key = form.startsWith("PKCS#8") ? certificates.encryptedKey() : certificates.encryptedPkcs1Key();
        assertThatThrownBy(() -> Tls.serverContext(certificates.rsaCertificate(), key))
                .isInstanceOf(GeneralSecurityException.class)
                // The file's name is left out: it must not be what says "encrypted".
                .satisfies(e -> assertThat(e.getMessage().replace(key.toString(), "<key file>"))
                        .containsIgnoringCase("encrypted"));
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        for (int i = 0; i < 100 && cause.getCause() != null && cause.getCause() != cause; i++) {
            cause = cause.getCause();
        }
        return cause;
    }
}
