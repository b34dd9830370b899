package dev.duplex.interop;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.duplex.CloseStatus;
import dev.duplex.Compression;
import dev.duplex.HandshakeRequest;
import dev.duplex.OriginPolicy;
import dev.duplex.ServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}, headless) as a WebSocket client of Duplex's echo server, driven by
 * {@code node/browser.js} through playwright-core. The page comes from a small HTTP server on 127.0.0.1 here, over
 * {@code http:} for {@code ws://} and over {@code https:} for {@code wss://} (a page from {@code https:} may not
 * open {@code ws://}), so that it has a real origin; the echo server allows that origin. Chromium accepts the test
 * CA's certificates through Playwright's {@code ignoreHTTPSErrors}, which covers {@code wss://} as well.
 *
 * <p>Chromium offers permessage-deflate: one test reads the agreement in the page ({@code ws.extensions}) and echoes
 * every {@link Payloads#samples() sample}, 0 B to 4 MiB, against Duplex's default server and one with context
 * takeover.
 *
 * <p>A missing Chromium or playwright-core fails these tests: CI installs both.
 */
@DisplayName("Chromium")
@Timeout(60)
class BrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    /** A Chromium start, one page, two mebibytes each way, with room for a slow CI machine. */
    private static final Duration BROWSER_RUN = Duration.ofSeconds(50);
    private static final Duration STEP = Duration.ofSeconds(10);
    private static final String PAGE = "<!doctype html><meta charset=\"utf-8\"><title>Duplex interop</title>";

    @TempDir
    static Path certificates;
    private static TestCa ca;

    private final Closer closer = new Closer();

    @BeforeAll
    static void checkChromiumAndMakeCertificates() throws IOException {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new AssertionError(CHROMIUM + " is missing: the browser tests need Debian's chromium "
                    + "(apt-get install chromium; .ci/run installs it)");
        }
        ca = TestCa.create(certificates);
    }

    @AfterEach
    void closeEverything() throws Exception {
        closer.close();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aPageFromAnAllowedOriginExchangesMessagesAndIsClosedWith4001(Transport transport) throws Exception {
        PageServer page = keep(PageServer.start(transport));
        ServerOptions options = ServerOptions.DEFAULT
                .withSubprotocols("chat")
                .withOriginPolicy(OriginPolicy.sameHostOr(page.origin()));
        if (transport == Transport.TLS) {
            options = options.withTls(ca.serverContext());
        }
        DuplexEchoServer server = keep(DuplexEchoServer.start(options));

        List<String> lines = runBrowser(page, server, "chat",
                "open", "text", "utf8", "binary", "big-text", "big-binary", "burst", "await-close:close:4001:bye");

        assertThat(lines).containsExactly(
                "protocol chat", "ok open",
                "ok text", "ok utf8", "ok binary", "ok big-text", "ok big-binary", "ok burst",
                "closed 4001 true bye", "ok await-close:close:4001:bye");
        assertThat(server.upgrades()).singleElement().satisfies(request -> {
            assertThat(request.headers().first("Origin")).contains(page.origin());
            assertThat(request.subprotocols()).contains("chat");
        });
        DuplexEchoServer.End end = server.awaitEnd(STEP);
        assertThat(end.failure()).as("what receive() threw after the handler closed").isNull();
        assertThat(end.closeStatus().map(CloseStatus::code)).as("the code Chromium answered with").contains(4001);
    }

    @Test
    void theDefaultOriginPolicyRefusesAPageFromAnotherOrigin() throws Exception {
        PageServer page = keep(PageServer.start(Transport.PLAIN));
        DuplexEchoServer server = keep(DuplexEchoServer.start(ServerOptions.DEFAULT.withSubprotocols("chat")));

        List<String> lines = runBrowser(page, server, "chat", "refused");

        // The handshake fails: Chromium reports an error event, then close code 1006, not clean.
        assertThat(lines).containsExactly("refused 1006 false error=true", "ok refused");
        assertThat(server.upgrades()).extracting(HandshakeRequest::startLine)
                .as("requests that reached the upgrader").isEmpty();
    }

    @ParameterizedTest(name = "Duplex server with {0}")
    @MethodSource("compressingServers")
    void aPageNegotiatesPermessageDeflateAndEveryCompressedSampleIsEchoedIntact(String setting,
                                                                              Compression compression,
                                                                              DeflateParameters expected)
            throws Exception {
        PageServer page = keep(PageServer.start(Transport.PLAIN));
        DuplexEchoServer server = keep(DuplexEchoServer.start(ServerOptions.DEFAULT
                .withOriginPolicy(OriginPolicy.sameHostOr(page.origin()))
                .withLimits(DeflateInteropTest.FOUR_MEBIBYTE_MESSAGES)
                .withCompression(compression)));
        List<String> samples = Payloads.samples().stream().map(Payloads.Sample::step).toList();
        List<String> steps = new ArrayList<>(List.of("open", "extensions"));
        steps.addAll(samples);
        steps.add("await-close:close:1000:");

        List<String> lines = runBrowser(page, server, "-", steps.toArray(String[]::new));

        assertThat(lines).hasSize(steps.size() + 3);
        assertThat(lines.subList(0, 2)).containsExactly("protocol ", "ok open");
        String extensions = lines.get(2);
        assertThat(extensions).as("ws.extensions in the page").startsWith("extensions permessage-deflate");
        assertThat(DeflateParameters.parse(extensions.substring("extensions ".length())))
                .as("what \"%s\" agrees to", extensions).isEqualTo(expected);
        assertThat(lines.subList(3, lines.size() - 2)).as("the samples the page sent and got back intact")
                .isEqualTo(Stream.concat(Stream.of("extensions"), samples.stream()).map(step -> "ok " + step).toList());
        assertThat(lines.subList(lines.size() - 2, lines.size()))
                .containsExactly("closed 1000 true ", "ok await-close:close:1000:");
        assertThat(server.upgrades()).singleElement().satisfies(request -> assertThat(
                request.headers().first("Sec-WebSocket-Extensions")).as("Chromium's offer")
                .hasValueSatisfying(offer -> assertThat(offer).startsWith("permessage-deflate")));
        DuplexEchoServer.End end = server.awaitEnd(STEP);
        assertThat(end.failure()).as("what receive() threw after the handler closed").isNull();
    }

    /** Duplex's server settings, and what they agree to with Chromium's "permessage-deflate; client_max_window_bits". */
    static Stream<Arguments> compressingServers() {
        return Stream.of(
                arguments("its default (LOW_MEMORY)", ServerOptions.DEFAULT.compression(),
                        DeflateParameters.NO_CONTEXT_TAKEOVER),
                arguments("Compression.DEFAULT", Compression.DEFAULT, DeflateParameters.CONTEXT_TAKEOVER));
    }

    // ---------------------------------------------------------------- plumbing

    /** Runs browser.js on this page against this server; it must exit 0. Returns what it printed. */
    private List<String> runBrowser(PageServer page, DuplexEchoServer server, String subprotocol, String... steps)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "browser.js", page.url(), server.uri().toString(),
                subprotocol));
        command.addAll(List.of(steps));
        PeerProcess browser = keep(PeerProcess.start("Chromium (node browser.js)",
                Peer.INTEROP_DIR.resolve("node"), command));
        browser.closeStdin();
        int exit = browser.awaitExit(BROWSER_RUN);
        List<String> lines = browser.remainingLines();
        if (exit != 0) {
            throw browser.failure("failed");
        }
        return lines;
    }

    private <T extends AutoCloseable> T keep(T resource) {
        return closer.keep(resource);
    }

    /** Serves one blank HTML page at {@code /} on 127.0.0.1, over http: or (with the test CA's certificate) https:. */
    private record PageServer(HttpServer http, Transport transport) implements AutoCloseable {

        static PageServer start(Transport transport) throws Exception {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
            HttpServer http;
            if (transport == Transport.TLS) {
                HttpsServer https = HttpsServer.create(address, 0);
                https.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext()));
                http = https;
            } else {
                http = HttpServer.create(address, 0);
            }
            http.createContext("/", exchange -> {
                byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            http.start();
            return new PageServer(http, transport);
        }

        /** The page's origin, as the browser sends it: {@code http://127.0.0.1:PORT} or {@code https://...}. */
        String origin() {
            String scheme = transport == Transport.TLS ? "https" : "http";
            return scheme + "://127.0.0.1:" + http.getAddress().getPort();
        }

        String url() {
            return origin() + "/";
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }
}
