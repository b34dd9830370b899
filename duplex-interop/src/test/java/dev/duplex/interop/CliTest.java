package dev.duplex.interop;

import dev.duplex.ClientOptions;
import dev.duplex.CloseStatus;
import dev.duplex.Framing;
import dev.duplex.Headers;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The duplex command, run as a user runs it: {@code java -jar duplex-cli/target/duplex.jar}, which the reactor
 * packages before these tests (duplex-interop depends on duplex-cli for that).
 *
 * <p>The shared server allows the origin {@value #ALLOWED_ORIGIN} with {@code --origin}: the handshake examples
 * send it, and {@code serve} refuses browser origins other than its own host by default.
 */
@Timeout(60)
class CliTest {

    private static final Path JAR = Path.of(System.getProperty("duplex.cli.jar",
            "../duplex-cli/target/duplex.jar")).toAbsolutePath().normalize();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final Pattern SERVING =
            Pattern.compile("duplex: serving the echo example on (wss?)://127\\.0\\.0\\.1:(\\d+)/");
    private static final String ALLOWED_ORIGIN = "http://example.test";
    /** A JVM start, with room for a slow CI machine. */
    private static final Duration STARTUP = Duration.ofSeconds(20);
    private static final Duration RUN = Duration.ofSeconds(20);
    /** How long a stopped server may take to close its connections and exit. */
    private static final Duration SHUTDOWN = Duration.ofSeconds(5);

    @TempDir
    static Path certificates;
    private static TestCa ca;
    private static PeerProcess server;
    private static int port;

    @BeforeAll
    static void startServer() throws Exception {
        ca = TestCa.create(certificates);
        server = duplex("serve", "--port", "0", "--origin", ALLOWED_ORIGIN);
        port = servingPort(server);
    }

    /** Stops the shared server the way a service manager does, with SIGTERM, and checks that it exits. */
    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server == null) {
            return;
        }
        try (PeerProcess serve = server) {
            serve.terminate();
            serve.awaitExit(SHUTDOWN);
        }
    }

    @Test
    void serveEchoesAndAnswersTheHandshakeWithOriginAndLocation() throws Exception {
        String origin = ALLOWED_ORIGIN;
        try (WebSocket ws = WebSocket.connect(URI.create("ws://127.0.0.1:" + port + "/path"),
                Headers.of("Origin", origin), ClientOptions.DEFAULT)) {
            assertThat(ws.startLine()).startsWith("HTTP/1.1 101");
            assertThat(ws.headers().first("Sec-WebSocket-Origin")).contains(origin);
            assertThat(ws.headers().first("Sec-WebSocket-Location")).contains("ws://127.0.0.1:" + port + "/path");
            ws.send("hello");
            assertThat(ws.receive()).isEqualTo(Message.text("hello"));
        }
    }

    @Test
    void connectPrintsEachMessageReceivedAsALineAndExitsZero() throws Exception {
        try (PeerProcess connect = duplex("connect", "ws://127.0.0.1:" + port + "/")) {
            connect.writeStdinAndClose("hello\nhé€\n");
            int exit = connect.awaitExit(RUN);
            List<String> lines = connect.remainingLines();
            if (exit != 0) {
                throw connect.failure("failed");
            }
            assertThat(lines).containsExactly("hello", "hé€");
        }
    }

    @Test
    void connectToAClosedPortExitsNonZeroWithOneLineOnStderr() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        try (PeerProcess connect = duplex("connect", "ws://127.0.0.1:" + closedPort + "/")) {
            connect.closeStdin();
            int exit = connect.awaitExit(RUN);
            assertThat(exit).as("exit code").isNotZero();
            assertThat(connect.remainingLines()).as("stdout").isEmpty();
            assertThat(connect.stderr().lines().toList()).as("stderr").hasSize(1);
        }
    }

    @Test
    void serveClosesItsConnectionsWithGoingAwayAndExitsOnSigterm() throws Exception {
        try (PeerProcess serve = startServe()) {
            int servePort = servingPort(serve);
            try (WebSocket ws = WebSocket.connect(URI.create("ws://127.0.0.1:" + servePort + "/"))) {
                ws.send("before");
                assertThat(ws.receive()).isEqualTo(Message.text("before"));

                serve.terminate();

                assertThat(ws.receive()).as("receive() once the server went away").isNull();
                assertThat(ws.closeStatus().map(CloseStatus::code)).contains(1001);
            }
            serve.awaitExit(SHUTDOWN);
        }
    }

    /** The spec's example in its own framings: the hixie-76 handshake with Origin and Location, then 'old or 'new. */
    @ParameterizedTest
    @EnumSource(value = Framing.class, names = {"OLD", "NEW"})
    void serveAndConnectSpeakTheLegacyFramings(Framing framing) throws Exception {
        String mode = framing.name().toLowerCase();
        try (PeerProcess serve = duplex("serve", "--port", "0", "--framing", mode, "--origin", ALLOWED_ORIGIN)) {
            int servePort = servingPort(serve);
            String origin = ALLOWED_ORIGIN;
            try (WebSocket ws = WebSocket.connect(URI.create("ws://127.0.0.1:" + servePort + "/demo"),
                    Headers.of("Origin", origin), ClientOptions.DEFAULT.withFraming(framing))) {
                assertThat(ws.startLine()).isEqualTo("HTTP/1.1 101 WebSocket Protocol Handshake");
                assertThat(ws.headers().first("Sec-WebSocket-Origin")).contains(origin);
                assertThat(ws.headers().first("Sec-WebSocket-Location")).contains("ws://127.0.0.1:" + servePort + "/demo");
                ws.send("hé€");
                assertThat(ws.receive()).isEqualTo(Message.text("hé€"));
            }
            try (PeerProcess connect = duplex("connect", "--framing", mode, "ws://127.0.0.1:" + servePort + "/")) {
                connect.writeStdinAndClose("hello\nworld\n");
                int exit = connect.awaitExit(RUN);
                List<String> lines = connect.remainingLines();
                if (exit != 0) {
                    throw connect.failure("failed");
                }
                assertThat(lines).containsExactly("hello", "world");
            }
            serve.terminate();
            serve.awaitExit(SHUTDOWN);
        }
    }

    // ---------------------------------------------------------------- wss://

    @Test
    void serveOverTlsEchoesToConnectTrustingTheCa() throws Exception {
        try (PeerProcess serve = startTlsServe()) {
            int servePort = servingPort(serve, "wss");
            List<String> lines = connectAndSend("hello\nhé€\n",
                    "connect", "--ca", ca.caCertificate().toString(), "wss://127.0.0.1:" + servePort + "/");
            assertThat(lines).containsExactly("hello", "hé€");
            stop(serve);
        }
    }

    @Test
    void connectInsecureReachesATlsServerWhoseCertificateItCannotCheck() throws Exception {
        try (PeerProcess serve = startTlsServe()) {
            int servePort = servingPort(serve, "wss");
            List<String> lines = connectAndSend("unchecked\n",
                    "connect", "--insecure", "wss://127.0.0.1:" + servePort + "/");
            assertThat(lines).containsExactly("unchecked");
            stop(serve);
        }
    }

    @Test
    void connectRefusesATlsServerWhoseCertificateNoTrustedCaSigned() throws Exception {
        try (PeerProcess serve = startTlsServe()) {
            int servePort = servingPort(serve, "wss");
            connectFailure("connect", "wss://127.0.0.1:" + servePort + "/");
            stop(serve);
        }
    }

    // ---------------------------------------------------------------- subprotocols

    @Test
    void serveSelectsTheSubprotocolConnectOffers() throws Exception {
        try (PeerProcess serve = duplex("serve", "--port", "0", "--subprotocol", "chat")) {
            int servePort = servingPort(serve);
            URI uri = URI.create("ws://127.0.0.1:" + servePort + "/");
            try (WebSocket ws = WebSocket.connect(uri, Headers.EMPTY,
                    ClientOptions.DEFAULT.withSubprotocols("superchat", "chat"))) {
                assertThat(ws.subprotocol()).contains("chat");
                assertThat(ws.headers().first("Sec-WebSocket-Protocol")).contains("chat");
            }
            // connect fails when the server selects none of the subprotocols it offers, so exit 0 means "chat".
            List<String> lines = connectAndSend("in chat\n", "connect", "--subprotocol", "chat", uri.toString());
            assertThat(lines).containsExactly("in chat");
            stop(serve);
        }
    }

    @Test
    void connectFailsWhenServeSpeaksNoneOfTheOfferedSubprotocols() throws Exception {
        try (PeerProcess serve = duplex("serve", "--port", "0", "--subprotocol", "chat")) {
            int servePort = servingPort(serve);
            String error = connectFailure("connect", "--subprotocol", "mqtt", "ws://127.0.0.1:" + servePort + "/");
            assertThat(error).contains("mqtt");
            stop(serve);
        }
    }

    // ---------------------------------------------------------------- origins

    @Test
    void serveRefusesAForeignOriginWith403() throws Exception {
        try (PeerProcess serve = startServe()) {
            int servePort = servingPort(serve);
            String error = connectFailure("connect", "-H", "Origin: " + ALLOWED_ORIGIN,
                    "ws://127.0.0.1:" + servePort + "/");
            assertThat(error).contains("403");
            stop(serve);
        }
    }

    @Test
    void serveAcceptsAForeignOriginThatOriginAllows() throws Exception {
        List<String> lines = connectAndSend("allowed\n",
                "connect", "-H", "Origin: " + ALLOWED_ORIGIN, "ws://127.0.0.1:" + port + "/");
        assertThat(lines).containsExactly("allowed");
    }

    @Test
    void serveAcceptsItsOwnOriginByDefault() throws Exception {
        try (PeerProcess serve = startServe()) {
            int servePort = servingPort(serve);
            List<String> lines = connectAndSend("same host\n", "connect", "-H",
                    "Origin: http://127.0.0.1:" + servePort, "ws://127.0.0.1:" + servePort + "/");
            assertThat(lines).containsExactly("same host");
            stop(serve);
        }
    }

    // ---------------------------------------------------------------- plumbing

    private static PeerProcess startServe() {
        return duplex("serve", "--port", "0");
    }

    /** The port from serve's first line, which must announce {@code ws://}. */
    private static int servingPort(PeerProcess serve) {
        return servingPort(serve, "ws");
    }

    /** The port from serve's first line, which must announce this scheme. */
    private static int servingPort(PeerProcess serve, String scheme) {
        String line = serve.nextLine(STARTUP);
        Matcher m = SERVING.matcher(line);
        if (!m.matches() || !m.group(1).equals(scheme)) {
            throw serve.failure("printed \"" + line + "\" instead of the " + scheme + ":// serving line");
        }
        return Integer.parseInt(m.group(2));
    }

    /** Runs connect with these arguments, sends {@code input} and returns its stdout lines; it must exit 0. */
    private static List<String> connectAndSend(String input, String... arguments) throws Exception {
        try (PeerProcess connect = duplex(arguments)) {
            connect.writeStdinAndClose(input);
            int exit = connect.awaitExit(RUN);
            List<String> lines = connect.remainingLines();
            if (exit != 0) {
                throw connect.failure("failed");
            }
            return lines;
        }
    }

    /** Runs connect with these arguments and asserts it fails: non-zero exit, no stdout, one stderr line, returned. */
    private static String connectFailure(String... arguments) throws Exception {
        try (PeerProcess connect = duplex(arguments)) {
            connect.closeStdin();
            int exit = connect.awaitExit(RUN);
            assertThat(exit).as("exit code").isNotZero();
            assertThat(connect.remainingLines()).as("stdout").isEmpty();
            List<String> stderr = connect.stderr().lines().toList();
            assertThat(stderr).as("stderr").hasSize(1);
            return stderr.getFirst();
        }
    }

    /** Starts {@code serve} over TLS with the test CA's certificate, plus these arguments. */
    private static PeerProcess startTlsServe(String... more) {
        List<String> arguments = new ArrayList<>(List.of("serve", "--port", "0",
                "--tls-cert", ca.certificate().toString(), "--tls-key", ca.privateKey().toString()));
        arguments.addAll(List.of(more));
        return duplex(arguments.toArray(String[]::new));
    }

    private static void stop(PeerProcess serve) throws InterruptedException {
        serve.terminate();
        serve.awaitExit(SHUTDOWN);
    }

    private static PeerProcess duplex(String... arguments) {
        if (!Files.isRegularFile(JAR)) {
            throw new AssertionError(JAR + " is missing: the package phase of duplex-cli builds it; run ./mvnw verify");
        }
        List<String> command = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
        command.addAll(List.of(arguments));
        return PeerProcess.start("duplex " + arguments[0], JAR.getParent(), command);
    }
}
