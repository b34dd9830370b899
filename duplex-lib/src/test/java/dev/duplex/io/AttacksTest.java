package dev.duplex.io;

import dev.duplex.ClientOptions;
import dev.duplex.CloseStatus;
import dev.duplex.Compression;
import dev.duplex.HandshakeException;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.ServerOptions;
import dev.duplex.Tls;
import dev.duplex.Upgrade;
import dev.duplex.Upgrader;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketException;
import dev.duplex.WebSocketServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.Loopback.awaitCondition;
import static dev.duplex.io.Loopback.inBackground;
import static dev.duplex.io.RawAttacks.ascii;
import static dev.duplex.io.RawAttacks.mask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * One test per row of {@code /work/shared/spec/attacks.md}: the patterns behind published advisories in other
 * WebSocket libraries, each aimed at Duplex over real loopback sockets. Every test is named after its row and
 * advisory, and asserts the protocol's answer (an HTTP status or a close code), a bound on its time, a bound on the
 * live heap it leaves where memory is the point, and - through {@link Siege} - that a well-behaved client keeps
 * getting its echoes while the attack runs and after it.
 *
 * <p>Some rows have tests of their own elsewhere too (TlsTest, RedirectTest, HandshakePolicyTest, HostileInputTest,
 * PerMessageDeflateTest); the tests here share their raw peers ({@link RawClient}, {@link RawServer},
 * {@link RawAttacks}, {@link RawDeflate}) rather than repeat them, and add the bystander and the bounds.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AttacksTest {

    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    /** What a timeout may overrun by on two busy cores before the test calls it a failure. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    /** How long the server may take to end a connection after its answer. */
    private static final Duration END = CLOSE_TIMEOUT.plus(SLACK);
    private static final int MAX_MESSAGE = 64 * 1024;
    private static final int MAX_FRAGMENTS = 256;
    /** Live heap an attack may leave behind; each one here would leave far more if its target leaked. */
    private static final long HEAP_GROWTH_LIMIT = 16L << 20;

    private static final Limits LIMITS = Loopback.LIMITS
            .withHandshakeTimeout(HANDSHAKE_TIMEOUT)
            .withCloseTimeout(CLOSE_TIMEOUT)
            .withMaxMessageSize(MAX_MESSAGE)
            .withMaxFrameSize(MAX_MESSAGE)
            .withMaxFragments(MAX_FRAGMENTS);
    /** The frame and message limits as high as they go: for attacks on the arithmetic rather than the limits. */
    private static final Limits UNLIMITED = LIMITS.withMaxFrameSize(Integer.MAX_VALUE)
            .withMaxMessageSize(Integer.MAX_VALUE);

    @TempDir
    static Path directory;
    private static TestCertificates certificates;
    private static Siege siege;

    @BeforeAll
    static void start() throws IOException {
        certificates = TestCertificates.create(directory);
        siege = Siege.start(options());
    }

    @AfterAll
    static void stop() throws IOException {
        if (siege != null) {
            siege.close();
        }
    }

    /** The attacked server: our echo server, small limits, permessage-deflate with context takeover allowed. */
    private static ServerOptions options() {
        return Loopback.serverOptions().withLimits(LIMITS).withCompression(Compression.DEFAULT);
    }

    private static int port() {
        return siege.port();
    }

    // ---------------------------------------------------------------- 1-7: TLS, lengths, sizes, deflate

    /** Row 1: a wss client must verify the server's host name, by default. */
    @Test
    void row01_javaWebSocket_CVE_2020_11050_hostnameNotVerified() throws Exception {
        ClientOptions trustingTheCa = Loopback.clientOptions().withTls(Tls.trusting(certificates.ca()));
        siege.underAttack(SLACK.multipliedBy(4), () -> {
            // Signed by the CA the client trusts, for DNS:other.test only: everything is right but the name.
            SSLContext impostor = Tls.serverContext(certificates.wrongHostCertificate(), certificates.rsaKey());
            try (WebSocketServer server = Loopback.echoServer(Loopback.serverOptions().withTls(impostor))) {
                for (String host : List.of("localhost", "127.0.0.1")) {
                    Throwable thrown = Loopback.refusedWithin(wss(host, server.port()), trustingTheCa, SLACK);
                    assertThat(thrown).isInstanceOf(SSLHandshakeException.class)
                            .hasRootCauseExactlyInstanceOf(CertificateException.class);
                    assertThat(rootCause(thrown).getMessage()).contains(host);
                }
            }
            // The same options reach a server whose certificate names the host: only the name was wrong.
            SSLContext genuine = Tls.serverContext(certificates.rsaCertificate(), certificates.rsaKey());
            try (WebSocketServer server = Loopback.echoServer(Loopback.serverOptions().withTls(genuine));
                 WebSocket ws = WebSocket.connect(wss("localhost", server.port()), Headers.EMPTY, trustingTheCa)) {
                ws.send("genuine");
                assertThat(Loopback.receive(ws)).isEqualTo(Message.text("genuine"));
            }
        });
    }

    /** Row 2: no allocation from a declared frame length; a frame over the limit is refused from its header. */
    @Test
    void row02_javaWebSocket_1499_allocationFromDeclaredFrameLength() throws Exception {
        siege.underAttack(END.plus(SLACK), () -> {
            for (long length : new long[] {Long.MAX_VALUE, 1L << 30}) {
                for (int opcode : new int[] {RawFrame.TEXT, RawFrame.BINARY}) {
                    RawAttacks.expectCloseAfter(port(), 1009, END, RawFrame.header(true, 0, opcode, length, mask()));
                }
            }
        });
        // With the limits as high as they go, a frame that declares 1 GiB and delivers 64 KiB costs 64 KiB: the
        // server waits for the rest until its idle timeout says 1001. Allocating the declared GiB could not even
        // succeed on this 768 MiB heap; the connection would drop without a Close.
        Duration idle = Duration.ofSeconds(1);
        try (Siege unlimited = Siege.start(options().withLimits(UNLIMITED).withIdleTimeout(idle))) {
            unlimited.underAttack(idle.plus(END).plus(SLACK), () -> {
                long heapBefore = ProcessResources.heapUsedAfterGc();
                try (RawClient raw = RawClient.open(unlimited.port())) {
                    raw.write(RawFrame.header(true, 0, RawFrame.BINARY, 1L << 30, mask()), new byte[64 * 1024]);
                    raw.setReadTimeout(idle.plus(SLACK));
                    RawFrame close = raw.readFrame();
                    assertThat(close.opcode()).isEqualTo(RawFrame.CLOSE);
                    assertThat(close.closeCode()).as("idle timeout (reason: %s)", close.closeReason()).isEqualTo(1001);
                    assertHeapFlat(heapBefore, "a frame declaring 1 GiB and delivering 64 KiB");
                }
                // 2^63-1 is still more than the largest limit there is (2^31-1): 1009 from the header.
                RawAttacks.expectCloseAfter(unlimited.port(), 1009, END,
                        RawFrame.header(true, 0, RawFrame.BINARY, Long.MAX_VALUE, mask()));
            });
        }
    }

    /** Row 3: a text message continued without end is cut off at the message cap, counted across fragments. */
    @Test
    void row03_netty_CVE_2014_0193_textWithEndlessContinuations() throws Exception {
        siege.underAttack(END.plus(SLACK), () -> {
            long heapBefore = ProcessResources.heapUsedAfterGc();
            RawFrame close = RawAttacks.endlessContinuations(port(), 4096, 10 * MAX_MESSAGE / 4096, END);
            assertThat(close.closeReason()).contains("more than " + MAX_MESSAGE + " bytes");
            assertHeapFlat(heapBefore, "endless continuations");
        });
    }

    /** Row 4: an unbounded frame length, and a deflate bomb (a GiB of zeros in about a MiB of deflate). */
    @Test
    void row04_netty_283_unboundedFrameLengthAndDeflateBomb() throws Exception {
        siege.underAttack(END.plus(SLACK).plus(SLACK), () -> {
            // A compressed frame may be an eighth over the frame limit; one declaring 1 GiB is not.
            try (RawClient raw = RawDeflate.open(port(), RawDeflate.NO_TAKEOVER)) {
                raw.write(RawFrame.header(true, RawFrame.RSV1, RawFrame.BINARY, 1L << 30, mask()));
                RawAttacks.expectClose(raw, 1009, END);
            }
            long heapBefore = ProcessResources.heapUsedAfterGc();
            RawDeflate.Bomb bomb = new RawDeflate.Bomb();
            try (RawClient raw = RawDeflate.open(port(), RawDeflate.NO_TAKEOVER)) {
                RawFrame close = sendUntilClosed(raw, 64, i -> {
                    byte[] piece = bomb.next(16 * 1024); // each about 16 MiB of zeros; 64 of them about 1 GiB
                    return i == 0 ? new RawFrame(false, RawFrame.RSV1, RawFrame.BINARY, piece)
                            : RawFrame.continuation(false, piece);
                });
                assertThat(close.closeCode()).as("close code (reason: %s)", close.closeReason()).isEqualTo(1009);
                assertThat(close.closeReason()).contains("inflates to more than " + MAX_MESSAGE + " bytes");
            } finally {
                bomb.end();
            }
            assertHeapFlat(heapBefore, "a deflate bomb");
        });
    }

    /** Row 5: the size limit holds for inflated bytes, also when the bomb is built from the shared window. */
    @Test
    void row05_pythonWebsockets_CVE_2018_1000518_sizeLimitAfterDecompressionWithContextTakeover() throws Exception {
        siege.underAttack(END.plus(SLACK), () -> {
            long heapBefore = ProcessResources.heapUsedAfterGc();
            Deflater deflater = RawDeflate.deflater();
            Inflater inflater = new Inflater(true);
            try (RawClient raw = RawDeflate.open(port(), RawDeflate.TAKEOVER)) {
                // A message just under the limit fills the window both sides keep with zeros, and comes back.
                byte[] first = new byte[MAX_MESSAGE - 1];
                raw.send(new RawFrame(true, RawFrame.RSV1, RawFrame.BINARY, RawDeflate.compress(deflater, first)));
                assertThat(readMessage(raw, inflater)).isEqualTo(first);
                // Then a message that refers back to that window: 1 MiB of zeros in a few hundred bytes.
                byte[] bomb = RawDeflate.compress(deflater, new byte[1 << 20]);
                assertThat(bomb.length).as("compressed size").isLessThan(2048);
                raw.send(new RawFrame(true, RawFrame.RSV1, RawFrame.BINARY, bomb));
                RawFrame close = RawAttacks.expectClose(raw, 1009, END);
                assertThat(close.closeReason()).contains("inflates to more than " + MAX_MESSAGE + " bytes");
            } finally {
                deflater.end();
                inflater.end();
            }
            assertHeapFlat(heapBefore, "a bomb built from the shared window");
        });
    }

    /** Row 6: a compressed message far under the limit that inflates past it is checked while it inflates. */
    @Test
    void row06_uWebSockets_2016_compressedMessageUnderTheLimitInflatesPastIt() throws Exception {
        siege.underAttack(END.plus(SLACK), () -> {
            Deflater deflater = RawDeflate.deflater();
            Inflater inflater = new Inflater(true);
            try (RawClient raw = RawDeflate.open(port(), RawDeflate.NO_TAKEOVER)) {
                byte[] atLimit = ascii("a".repeat(MAX_MESSAGE));
                byte[] compressed = RawDeflate.compress(deflater, atLimit);
                assertThat(compressed.length).as("compressed size").isLessThan(1024);
                raw.send(new RawFrame(true, RawFrame.RSV1, RawFrame.TEXT, compressed));
                assertThat(readMessage(raw, inflater)).isEqualTo(atLimit);

                deflater.reset(); // client_no_context_takeover
                byte[] overLimit = RawDeflate.compress(deflater, ascii("a".repeat(MAX_MESSAGE + 1)));
                assertThat(overLimit.length).as("compressed size").isLessThan(1024);
                raw.send(new RawFrame(true, RawFrame.RSV1, RawFrame.TEXT, overLimit));
                RawFrame close = RawAttacks.expectClose(raw, 1009, END);
                assertThat(close.closeReason()).contains("inflates to more than " + MAX_MESSAGE + " bytes");
            } finally {
                deflater.end();
                inflater.end();
            }
        });
    }

    /** Row 7: lengths with the most significant bit set, and lengths whose sum overflows 32 or 64 bits. */
    @Test
    void row07_gorilla_CVE_2020_27813_frameLengthOverflow() throws Exception {
        siege.underAttack(END.multipliedBy(3), () -> {
            // RFC 6455 §5.2: "the most significant bit MUST be 0": 2^64-1 and 2^63 are not lengths (1002).
            for (long msbSet : new long[] {-1L, Long.MIN_VALUE}) {
                RawAttacks.expectCloseAfter(port(), 1002, END,
                        RawFrame.header(true, 0, RawFrame.BINARY, msbSet, mask()));
            }
            // A fragment under the limit, then a continuation whose length would overflow a 64-bit sum.
            try (RawClient raw = RawClient.open(port())) {
                raw.send(RawFrame.binary(false, new byte[MAX_MESSAGE - 16]));
                raw.write(RawFrame.header(true, 0, RawFrame.CONTINUATION, Long.MAX_VALUE - 8, mask()));
                RawAttacks.expectClose(raw, 1009, END);
            }
        });
        try (Siege unlimited = Siege.start(options().withLimits(UNLIMITED))) {
            unlimited.underAttack(END.multipliedBy(3), () -> {
                // 2^32 + 5 declared, 5 bytes sent: a length cut to 32 bits would read as 5 and pass.
                try (RawClient raw = RawClient.open(unlimited.port())) {
                    raw.write(RawFrame.header(true, 0, RawFrame.BINARY, (1L << 32) + 5, mask()), new byte[5]);
                    RawAttacks.expectClose(raw, 1009, END);
                }
                // Two fragments, each within an int, whose lengths sum past 2^31-1: the limit as high as it goes.
                try (RawClient raw = RawClient.open(unlimited.port())) {
                    raw.send(RawFrame.binary(false, new byte[16]));
                    raw.write(RawFrame.header(true, 0, RawFrame.CONTINUATION, Integer.MAX_VALUE - 8, mask()));
                    RawFrame close = RawAttacks.expectClose(raw, 1009, END);
                    assertThat(close.closeReason()).contains("more than " + Integer.MAX_VALUE + " bytes");
                }
            });
        }
    }

    // ---------------------------------------------------------------- 8-13: control frames, headers, closing

    /** Row 8: a Pong carries exactly its Ping's payload, nothing from a buffer an earlier one used; at most 125. */
    @Test
    void row08_ws_2016_pingPayloadFromUninitializedMemory() throws Exception {
        byte[] full = new byte[125];
        Arrays.fill(full, (byte) 0xAA);
        siege.underAttack(END.plus(SLACK), () -> {
            try (RawClient raw = RawClient.open(port())) {
                for (byte[] payload : List.of(full, ascii("abc"), new byte[0], new byte[] {0}, full)) {
                    raw.send(new RawFrame(true, 0, RawFrame.PING, payload));
                    RawFrame pong = raw.readFrame();
                    assertThat(pong.opcode()).isEqualTo(RawFrame.PONG);
                    assertThat(pong.payload()).as("the pong to a %d-byte ping", payload.length).isEqualTo(payload);
                }
                // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less".
                raw.send(new RawFrame(true, 0, RawFrame.PING, new byte[126]));
                RawAttacks.expectClose(raw, 1002, END);
            }
            try (WebSocket ws = Loopback.connect(siege.server())) {
                assertThatThrownBy(() -> ws.ping(ByteBuffer.allocate(126)))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("125");
                ws.ping(ByteBuffer.wrap(full));
                ws.send("still open");
                assertThat(Loopback.receive(ws)).isEqualTo(Message.text("still open"));
            }
        });
    }

    /** Row 9: the extension header parser is bounded and linear, and every request gets an answer. */
    @Test
    void row09_ws_GHSA_5v72_xg48_5rpm_extensionHeaderParser() throws Exception {
        long seed = new Random().nextLong();
        siege.underAttack(SLACK.multipliedBy(5), () -> {
            // 64 KiB of ";" in one line: over the 8 KiB line limit, answered at once.
            RawAttacks.refusedWhileWriting(port(), 431, END, ascii("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate" + ";".repeat(64 * 1024) + "\r\n\r\n"));
            // Within the default limits, seven lines of semicolons: malformed offers, declined, still a 101.
            assertThat(extensionsAnswer(port(), Collections.nCopies(7,
                    "Sec-WebSocket-Extensions: permessage-deflate" + ";".repeat(8000)))).isEmpty();
            // About 2,700 offers with an unknown parameter, declined one by one; the valid last one is taken.
            List<String> offers = new ArrayList<>(Collections.nCopies(7,
                    "Sec-WebSocket-Extensions: " + "permessage-deflate;x,".repeat(385).replaceAll(",$", "")));
            offers.add("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits");
            assertThat(extensionsAnswer(port(), offers)).hasValue("permessage-deflate");
            // Seeded random headers from the grammar's pieces: each one gets a 101 with or without the extension.
            Random random = new Random(seed);
            String[] pieces = {"permessage-deflate", "x-webkit-deflate-frame", ";", ";", ",", ",", "=", "\"", " ",
                    "\t", "client_max_window_bits", "server_max_window_bits", "client_no_context_takeover",
                    "server_no_context_takeover", "8", "15", "16", "0", "x", "\"10\"", "=="};
            for (int i = 0; i < 200; i++) {
                StringBuilder value = new StringBuilder();
                for (int n = random.nextInt(60); n > 0; n--) {
                    value.append(pieces[random.nextInt(pieces.length)]);
                }
                Optional<String> answer = extensionsAnswer(port(), List.of("Sec-WebSocket-Extensions: " + value));
                answer.ifPresent(a -> assertThat(a).as("seed %d, Sec-WebSocket-Extensions: %s", seed, value)
                        .startsWith("permessage-deflate"));
            }
        });
        // With room for it, the 64 KiB line of semicolons is parsed, declined, and answered with a 101 promptly.
        try (Siege roomy = Siege.start(options().withLimits(LIMITS.withMaxHeaderLineLength(256 << 10)
                .withMaxHeaderBytes(1 << 20)))) {
            roomy.underAttack(SLACK.multipliedBy(2), () -> assertThat(extensionsAnswer(roomy.port(), List.of(
                    "Sec-WebSocket-Extensions: permessage-deflate" + ";".repeat(64 * 1024)))).isEmpty());
        }
    }

    /** Row 10: a 64 KiB (and a 256 KiB) pathological Sec-WebSocket-Protocol is tokenized in linear time. */
    @Test
    void row10_ws_CVE_2021_32640_subprotocolHeaderRedos() throws Exception {
        siege.underAttack(END.plus(SLACK), () -> RawAttacks.refusedWhileWriting(port(), 431, END,
                ascii("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-WebSocket-Protocol: " + " ".repeat(64 * 1024)
                        + "chat\r\n\r\n")));
        ServerOptions roomy = options().withLimits(LIMITS.withMaxHeaderLineLength(512 << 10)
                .withMaxHeaderBytes(1 << 20)).withSubprotocols("chat");
        try (Siege s = Siege.start(roomy)) {
            s.underAttack(SLACK.multipliedBy(5), () -> {
                for (int size : new int[] {64 << 10, 256 << 10}) {
                    // Runs of whitespace and separators, the shapes that made regular expressions backtrack.
                    for (String shape : List.of(" ", ",", " ,", ", ", "a,", "a ", "\t,")) {
                        String value = shape.repeat(size / shape.length()) + ",chat";
                        long start = System.nanoTime();
                        try (RawClient raw = RawClient.connect(s.port())) {
                            RawEndpoint.HttpHead response = raw.handshakeWith("/",
                                    List.of("Sec-WebSocket-Protocol: " + value));
                            // "chat" comes last: the server read all of the header to find it.
                            assertThat(response.first("Sec-WebSocket-Protocol")).hasValue("chat");
                        }
                        assertThat(Duration.ofNanos(System.nanoTime() - start))
                                .as("answer to %d bytes of \"%s\"", size, shape).isLessThan(Duration.ofSeconds(1));
                    }
                }
            });
        }
    }

    /** Row 11: more than 2,000 header fields get 431, at the 129th. */
    @Test
    void row11_ws_CVE_2024_37890_moreThan2000Headers() throws Exception {
        siege.underAttack(END.plus(SLACK), () -> {
            RawAttacks.refusedWhileWriting(port(), 431, END, RawAttacks.requestWithHeaders(2001));
            // The same name 2,001 times, with empty values.
            RawAttacks.refusedWhileWriting(port(), 431, END,
                    ascii("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "X:\r\n".repeat(2001) + "\r\n"));
        });
    }

    /**
     * Row 12: a close reason is the status code and the reason's UTF-8, exactly; {@link CloseStatus} refuses a
     * reason over 123 bytes (a frame's 125 less the code), and the answer to a peer's Close echoes only its code.
     */
    @Test
    void row12_ws_2026_closeReasonEncoding() throws Exception {
        String longest = "€".repeat(41); // 123 bytes of UTF-8 in 41 characters
        assertThat(longest.getBytes(StandardCharsets.UTF_8)).hasSize(CloseStatus.MAX_REASON_BYTES);
        assertThat(CloseStatus.of(4000, longest).reason()).isEqualTo(longest);
        assertThatThrownBy(() -> CloseStatus.of(4000, longest + "a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("123 bytes");
        for (int code : new int[] {0, 999, 5000, 65535}) {
            assertThatThrownBy(() -> CloseStatus.of(code, "")).isInstanceOf(IllegalArgumentException.class);
        }
        List<CloseStatus> statuses = List.of(CloseStatus.NORMAL_CLOSURE, CloseStatus.of(4000, longest),
                CloseStatus.of(3000, "x".repeat(123)), CloseStatus.of(1001, "bye \uD83D\uDC4B"),
                CloseStatus.of(4999, "a\u0000b"));
        // The server closes with a status the client names in a message: "<code> <reason>".
        try (WebSocketServer closer = WebSocketServer.start(Loopback.serverOptions(), (ws, state) -> {
            String text = ((Message.Text) ws.receive()).text();
            int space = text.indexOf(' ');
            ws.close(CloseStatus.of(Integer.parseInt(text.substring(0, space)), text.substring(space + 1)));
        })) {
            siege.underAttack(SLACK.multipliedBy(4), () -> {
                for (CloseStatus status : statuses) {
                    try (RawClient raw = RawClient.open(closer.port())) {
                        raw.send(RawFrame.text(status.code() + " " + status.reason()));
                        RawFrame close = raw.readFrame();
                        assertThat(close.opcode()).isEqualTo(RawFrame.CLOSE);
                        assertThat(close.payload()).as("the server's Close for %s", status)
                                .isEqualTo(onTheWire(status));
                    }
                    try (RawServer server = RawServer.start()) {
                        FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(server.uri(),
                                Headers.EMPTY, Loopback.clientOptions()));
                        try (RawServer.Peer peer = server.accept()) {
                            WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                            FutureTask<RawFrame> answering = inBackground(() -> peer.answerClose(WAIT));
                            ws.close(status);
                            assertThat(answering.get(WAIT.toSeconds(), TimeUnit.SECONDS).payload())
                                    .as("our client's Close for %s", status).isEqualTo(onTheWire(status));
                        }
                    }
                }
                // The answer to a peer's Close echoes its code and nothing of its reason.
                try (RawClient raw = RawClient.open(port())) {
                    raw.send(RawFrame.close(4001, longest));
                    RawFrame answer = raw.readFrame();
                    assertThat(answer.payload()).isEqualTo(new byte[] {0x0F, (byte) 0xA1});
                }
            });
        }
    }

    /** Row 13: one-byte fragments are cut off by the fragment count, far under the message cap. */
    @Test
    void row13_ws_2026_tinyFragmentsUnderMaxPayload() throws Exception {
        siege.underAttack(END.plus(SLACK), () -> {
            long heapBefore = ProcessResources.heapUsedAfterGc();
            RawFrame close = RawAttacks.endlessContinuations(port(), 1, 100 * MAX_FRAGMENTS, END);
            assertThat(close.closeReason()).contains("more than " + MAX_FRAGMENTS + " frames");
            assertHeapFlat(heapBefore, "one-byte fragments");
        });
    }

    // ---------------------------------------------------------------- 14-21: clients, credentials, resources

    /** Row 14: no credentials to another host or port on a redirect, and never from wss down to ws. */
    @Test
    void row14_ws_websockets_2022_credentialsLeakedOnRedirect() throws Exception {
        Headers credentials = Headers.of("Authorization", "Bearer t0k3n", "Cookie", "session=s3cret",
                "Proxy-Authorization", "Basic cHJveHk6cHc=", "X-Trace", "kept");
        ClientOptions following = Loopback.clientOptions().withMaxRedirects(1);
        siege.underAttack(SLACK.multipliedBy(5), () -> {
            try (RawServer from = RawServer.start(); RawServer to = RawServer.start()) {
                // localhost and 127.0.0.1 are the same machine, but not the same host to a client.
                for (String location : List.of("ws://localhost:" + to.port() + "/next",
                        "ws://127.0.0.1:" + to.port() + "/next")) {
                    for (URI start : List.of(URI.create("ws://127.0.0.1:" + from.port() + "/start"),
                            URI.create("ws://user:pw@127.0.0.1:" + from.port() + "/start"))) {
                        boolean fromUri = start.getUserInfo() != null;
                        FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(start,
                                fromUri ? Headers.EMPTY : credentials, following));
                        try (RawServer.Peer first = from.acceptRequest()) {
                            assertThat(first.request().first("Authorization")).as("sent to %s", start).isPresent();
                            first.write(ascii("HTTP/1.1 302 Found\r\nLocation: " + location
                                    + "\r\nContent-Length: 0\r\n\r\n"));
                        }
                        try (RawServer.Peer second = to.acceptRequest()) {
                            for (String name : List.of("Authorization", "Cookie", "Proxy-Authorization")) {
                                assertThat(second.request().first(name)).as("%s after a redirect to %s", name,
                                        location).isEmpty();
                            }
                            if (!fromUri) {
                                assertThat(second.request().first("X-Trace")).hasValue("kept");
                            }
                            second.answer101(List.of());
                            WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                            FutureTask<RawFrame> answering = inBackground(() -> second.answerClose(WAIT));
                            ws.close();
                            answering.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                        }
                    }
                }
            }
            // From wss to ws: refused, and the insecure location never sees a request.
            AtomicInteger landed = new AtomicInteger();
            Upgrader<Void> counting = request -> {
                landed.incrementAndGet();
                return Upgrade.accept();
            };
            SSLContext serverTls = Tls.serverContext(certificates.rsaCertificate(), certificates.rsaKey());
            ClientOptions secure = following.withTls(Tls.trusting(certificates.ca()));
            try (RawServer tls = RawServer.startTls(serverTls);
                 WebSocketServer landing = WebSocketServer.start(Loopback.serverOptions(), counting,
                         Loopback.echo())) {
                FutureTask<Throwable> connecting = inBackground(() -> catchThrowable(() -> WebSocket.connect(
                        URI.create("wss://localhost:" + tls.port() + "/"), credentials, secure).close()));
                // The redirect, then the end of the connection (SlowPeersTest has a server that keeps it open).
                try (RawServer.Peer peer = tls.acceptRequest()) {
                    peer.write(ascii("HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:" + landing.port()
                            + "/\r\nContent-Length: 0\r\n\r\n"));
                }
                assertThat(connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .isInstanceOf(HandshakeException.class)
                        .hasMessageContaining("refused a redirect from a secure connection to an insecure one");
                assertThat(landed.get()).as("requests that reached the insecure location").isZero();
            }
        });
    }

    /**
     * Row 15: Duplex has no Basic-auth check, so there is no secret compare to time: credentials are the
     * application's to check in its {@link Upgrader} (row 20). What the library does compare in a handshake is not
     * secret: {@code Sec-WebSocket-Accept} is a hash of the client's own nonce, which anyone on the connection can
     * compute (our client compares it with {@code String.equals}; the hixie-76 client's answer, equally public, with
     * {@code MessageDigest.isEqual}), and an {@code Origin} is compared with the request's own {@code Host}. So this
     * tests what applies: the server's answer holds nothing but what the request gives, the server judges no
     * credentials, and our client checks the whole accept value, wrong at its start or at its end alike.
     */
    @Test
    void row15_pythonWebsockets_CVE_2021_33880_noSecretIsComparedInTheHandshake() throws Exception {
        siege.underAttack(SLACK.multipliedBy(3), () -> {
            try (RawClient raw = RawClient.connect(port())) {
                String key = RawClient.newKey();
                String wrong = Base64.getEncoder().encodeToString(ascii("admin:wrong"));
                raw.write(RawClient.request("/", key, "Authorization: Basic " + wrong));
                RawEndpoint.HttpHead response = raw.readHttp();
                assertThat(response.status()).as("no credential check in the library").isEqualTo(101);
                assertThat(response.first("Sec-WebSocket-Accept")).hasValue(RawClient.acceptFor(key));
            }
            try (RawServer server = RawServer.start()) {
                for (boolean atStart : new boolean[] {true, false}) {
                    FutureTask<Throwable> connecting = inBackground(() -> catchThrowable(() -> WebSocket.connect(
                            server.uri(), Headers.EMPTY, Loopback.clientOptions()).close()));
                    try (RawServer.Peer peer = server.acceptRequest()) {
                        String accept = RawClient.acceptFor(peer.request().first("Sec-WebSocket-Key").orElseThrow());
                        // 28 characters, the last one "=" padding: change the first, or the last that carries data.
                        int at = atStart ? 0 : accept.length() - 2;
                        String tampered = accept.substring(0, at) + (accept.charAt(at) == 'A' ? 'B' : 'A')
                                + accept.substring(at + 1);
                        peer.write(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + tampered + "\r\n\r\n"));
                        assertThat(connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                                .as("an accept value wrong at its %s", atStart ? "start" : "end")
                                .isInstanceOf(HandshakeException.class)
                                .hasMessageContaining("wrong Sec-WebSocket-Accept");
                    }
                }
            }
        });
    }

    /**
     * Row 16: a MiB-long header trickled in small pieces costs linear time: cut off at the line limit by default;
     * with the limit raised, parsed whole in bounded CPU when it comes fast, cut off at the handshake timeout when
     * it comes slowly.
     */
    @Test
    void row16_tungstenite_CVE_2023_43669_longHeaderTrickled() throws Exception {
        byte[] request = ascii("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + RawClient.newKey() + "\r\nSec-WebSocket-Version: 13\r\n"
                + "X-Long: " + "a".repeat(1 << 20) + "\r\n\r\n");
        siege.underAttack(END.plus(SLACK), () -> {
            try (RawClient raw = RawClient.connect(port())) {
                FutureTask<Integer> trickling = inBackground(() -> writeInPieces(raw, request, 64));
                RawEndpoint.HttpHead response = raw.readHttp();
                assertThat(response.status()).as(response.startLine()).isEqualTo(431);
                raw.expectEndOfStream(END);
                trickling.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        });
        Limits roomy = LIMITS.withMaxHeaderLineLength(2 << 20).withMaxHeaderBytes(4 << 20);
        try (Siege s = Siege.start(options().withLimits(roomy))) {
            s.underAttack(SLACK.multipliedBy(4), () -> {
                // Fast, in 64-byte writes: 16,384 reads for the server, a whole head at the end of them.
                Duration cpuBefore = ProcessResources.cpuTime();
                long start = System.nanoTime();
                try (RawClient raw = RawClient.connect(s.port())) {
                    writeInPieces(raw, request, 64);
                    assertThat(raw.readHttp().status()).isEqualTo(101);
                }
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(SLACK.multipliedBy(2));
                assertThat(ProcessResources.cpuTime().minus(cpuBefore)).as("CPU used, both ends")
                        .isLessThan(Duration.ofSeconds(3));
                // Slowly, 256 bytes a millisecond: four seconds' worth, cut off at the one-second handshake timeout.
                cpuBefore = ProcessResources.cpuTime();
                Duration took = RawAttacks.trickleUntilHungUp(s.port(), request, 256, Duration.ofMillis(1));
                assertThat(took).isGreaterThanOrEqualTo(HANDSHAKE_TIMEOUT).isLessThan(HANDSHAKE_TIMEOUT.plus(SLACK));
                assertThat(ProcessResources.cpuTime().minus(cpuBefore)).as("CPU used, both ends")
                        .isLessThan(Duration.ofSeconds(3));
            });
        }
    }

    /** Row 17: a million unsolicited pongs are read and dropped, and leave the heap as it was. */
    @Test
    void row17_undertow_UNDERTOW_1935_millionPongs() throws Exception {
        siege.underAttack(SLACK.multipliedBy(8), () -> {
            long heapBefore = ProcessResources.heapUsedAfterGc();
            try (RawClient raw = RawClient.open(port())) {
                ByteArrayOutputStream batch = new ByteArrayOutputStream();
                for (int i = 0; i < 1000; i++) {
                    batch.write(RawFrame.pong(ByteBuffer.allocate(8).putLong(0, i).array()).encode(mask()));
                }
                byte[] thousandPongs = batch.toByteArray();
                for (int i = 0; i < 1000; i++) {
                    raw.write(thousandPongs);
                }
                // No answer to a pong (RFC 6455 §5.5.3): the next frame back is the echo of what follows them.
                raw.send(RawFrame.text("after a million pongs"));
                raw.setReadTimeout(WAIT);
                RawFrame echo = raw.readFrame();
                assertThat(echo.opcode()).isEqualTo(RawFrame.TEXT);
                assertThat(echo.text()).isEqualTo("after a million pongs");
            }
            assertHeapFlat(heapBefore, "a million pongs");
        });
    }

    /** Row 18: a text message one byte over the cap gets 1009, whole or fragmented; bytes count, not chars. */
    @Test
    void row18_undertow_UNDERTOW_2770_textMessageJustOverTheCap() throws Exception {
        siege.underAttack(END.multipliedBy(3), () -> {
            String atCap = "é".repeat(MAX_MESSAGE / 2); // 2 bytes each: the cap in bytes, half of it in chars
            try (RawClient raw = RawClient.open(port())) {
                raw.send(RawFrame.text(atCap));
                raw.setReadTimeout(WAIT);
                assertThat(raw.readFrame().text()).isEqualTo(atCap);
            }
            RawAttacks.expectCloseAfter(port(), 1009, END, RawFrame.text(atCap + "a").encode(mask()));
            try (RawClient raw = RawClient.open(port())) {
                raw.send(RawFrame.text(false, atCap.getBytes(StandardCharsets.UTF_8)));
                raw.send(RawFrame.continuation(true, "a"));
                RawAttacks.expectClose(raw, 1009, END);
            }
        });
    }

    /**
     * Row 19: every zlib stream goes back when a compressed connection ends, however it ends; and a connection
     * keeps no reference to the last message it carried.
     */
    @Test
    void row19_jetty_293_13029_deflaterReleasedAndLastMessageNotRetained() throws Exception {
        long streamsBefore = ZlibPool.SHARED.outstanding();
        ClientOptions compressing = Loopback.clientOptions()
                .withCompression(Compression.DEFAULT.withThreshold(0));
        byte[] text = ascii("compress me, ".repeat(100));
        siege.underAttack(SLACK.multipliedBy(8), () -> {
            List<Siege.Attack> ends = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                // Closed cleanly, after both sides compressed with context takeover.
                ends.add(() -> {
                    try (WebSocket ws = WebSocket.connect(Loopback.uri(siege.server()), Headers.EMPTY, compressing)) {
                        ws.send(new String(text, StandardCharsets.ISO_8859_1));
                        assertThat(Loopback.receive(ws)).isInstanceOf(Message.Text.class);
                    }
                });
                // Reset in the middle of a compressed message: the server's decompressor is mid-stream.
                ends.add(() -> {
                    Deflater deflater = RawDeflate.deflater();
                    try (RawClient raw = RawDeflate.open(port(), RawDeflate.TAKEOVER)) {
                        raw.send(new RawFrame(false, RawFrame.RSV1, RawFrame.TEXT,
                                RawDeflate.compress(deflater, text)));
                        raw.reset();
                    } finally {
                        deflater.end();
                    }
                });
                // Failed: data that is not deflate.
                ends.add(() -> {
                    try (RawClient raw = RawDeflate.open(port(), RawDeflate.TAKEOVER)) {
                        raw.send(new RawFrame(true, RawFrame.RSV1, RawFrame.BINARY, new byte[] {(byte) 0xFF, 1, 2}));
                        RawAttacks.expectClose(raw, 1007, END);
                    }
                });
            }
            runAll(ends);
            // Server shutdown with compressed connections open.
            try (WebSocketServer doomed = WebSocketServer.start(Loopback.serverOptions()
                    .withCompression(Compression.DEFAULT), Loopback.echo())) {
                List<WebSocket> open = new ArrayList<>();
                try {
                    for (int i = 0; i < 20; i++) {
                        WebSocket ws = WebSocket.connect(Loopback.uri(doomed), Headers.EMPTY, compressing);
                        open.add(ws);
                        ws.send(ByteBuffer.wrap(text));
                        assertThat(Loopback.receive(ws)).isInstanceOf(Message.Binary.class);
                    }
                    doomed.close();
                    for (WebSocket ws : open) {
                        assertThat(Loopback.receive(ws)).as("the end of the stream at shutdown").isNull();
                    }
                } finally {
                    for (WebSocket ws : open) {
                        ws.close();
                    }
                }
            }
            awaitCondition("every zlib stream given back", WAIT,
                    () -> ZlibPool.SHARED.outstanding() == streamsBefore);
        });

        // 24 connections each carry a 1 MiB message both ways and stay open: neither side may keep it.
        try (WebSocketServer server = Loopback.echoServer(Loopback.serverOptions())) {
            long heapBefore = ProcessResources.heapUsedAfterGc();
            List<WebSocket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 24; i++) {
                    WebSocket ws = Loopback.connect(server);
                    open.add(ws);
                    ws.send(Loopback.asciiText((1 << 20) - 1));
                    assertThat(Loopback.receive(ws)).isInstanceOf(Message.Text.class);
                }
                // Kept by one side, 24 MiB; by both, 48 MiB.
                assertHeapFlat(heapBefore, "24 open connections after a 1 MiB message each");
            } finally {
                for (WebSocket ws : open) {
                    ws.close();
                }
            }
        }
    }

    /** Row 20: cross-origin upgrades refused before the upgrader, and the upgrader's checks come before the 101. */
    @Test
    void row20_helidon_11439_crossOriginUpgradeAndAuthBeforeThe101() throws Exception {
        AtomicInteger upgrades = new AtomicInteger();
        AtomicInteger handled = new AtomicInteger();
        // The application's authentication: a session cookie for /private; "/" is open (the bystander uses it).
        Upgrader<Void> authenticating = request -> {
            upgrades.incrementAndGet();
            if (request.startLine().startsWith("GET /private ")
                    && !request.headers().first("Cookie").orElse("").equals("session=ok")) {
                return Upgrade.reject(401, "log in first", Headers.of("WWW-Authenticate", "Cookie"));
            }
            return Upgrade.accept();
        };
        try (Siege guarded = Siege.start(options(), authenticating, (ws, state) -> {
            handled.incrementAndGet();
            Loopback.<Void>echo().handle(ws, state);
        })) {
            guarded.underAttack(SLACK.multipliedBy(3), () -> {
                int upgradesBefore = upgrades.get();
                int handledBefore = handled.get();
                for (String origin : List.of("http://evil.example", "null", "http://127.0.0.1.evil.example",
                        "http://127.0.0.1:1")) {
                    try (RawClient raw = RawClient.connect(guarded.port())) {
                        raw.write(RawClient.request("/private", RawClient.newKey(), "Origin: " + origin,
                                "Cookie: session=ok"));
                        assertThat(raw.readHttp().status()).as("Origin: %s", origin).isEqualTo(403);
                    }
                }
                assertThat(upgrades.get()).as("upgrader calls for cross-origin requests").isEqualTo(upgradesBefore);
                // Same origin, no session: the upgrader refuses before any 101, and no handler runs.
                try (RawClient raw = RawClient.connect(guarded.port())) {
                    raw.write(RawClient.request("/private", RawClient.newKey(), "Origin: http://127.0.0.1"));
                    RawEndpoint.HttpHead response = raw.readHttp();
                    assertThat(response.status()).isEqualTo(401);
                    assertThat(response.first("WWW-Authenticate")).hasValue("Cookie");
                    raw.expectEndOfStream(END);
                }
                assertThat(handled.get()).as("handlers run for refused requests").isEqualTo(handledBefore);
                // Same origin with the session: served.
                try (RawClient raw = RawClient.connect(guarded.port())) {
                    raw.handshakeWith("/private", List.of("Origin: http://127.0.0.1", "Cookie: session=ok"));
                    raw.send(RawFrame.text("in"));
                    assertThat(raw.readFrame().text()).isEqualTo("in");
                }
            });
        }
    }

    /** Row 21: our client caps what it receives, before and after inflating. */
    @Test
    void row21_okhttp_ourClientCapsInboundSizeAndInflate() throws Exception {
        ClientOptions capped = Loopback.clientOptions().withLimits(LIMITS);
        siege.underAttack(SLACK.multipliedBy(4), () -> {
            long heapBefore = ProcessResources.heapUsedAfterGc();
            try (RawServer server = RawServer.start()) {
                // At the cap: received. One byte over: 1009, and our client says so in its Close.
                String atCap = Loopback.asciiText(MAX_MESSAGE);
                for (String text : List.of(atCap, atCap + "!")) {
                    FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(server.uri(),
                            Headers.EMPTY, capped.withCompression(Compression.DISABLED)));
                    try (RawServer.Peer peer = server.accept();
                         WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                        peer.send(RawFrame.text(text));
                        if (text.length() == MAX_MESSAGE) {
                            assertThat(Loopback.receive(ws)).isEqualTo(Message.text(text));
                        } else {
                            expectFailure(ws, 1009);
                            assertThat(peer.readUntilClose().closeCode()).isEqualTo(1009);
                        }
                    }
                }
                // A frame declaring 2^63-1 bytes: refused from its header.
                FutureTask<WebSocket> connecting = inBackground(() -> WebSocket.connect(server.uri(), Headers.EMPTY,
                        capped));
                try (RawServer.Peer peer = server.accept();
                     WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    peer.write(RawFrame.header(true, 0, RawFrame.BINARY, Long.MAX_VALUE, null));
                    expectFailure(ws, 1009);
                    assertThat(peer.readUntilClose().closeCode()).isEqualTo(1009);
                }
                // A deflate bomb from the server, sent until our client's Close comes back.
                connecting = inBackground(() -> WebSocket.connect(server.uri(), Headers.EMPTY, capped));
                RawDeflate.Bomb bomb = new RawDeflate.Bomb();
                try (RawServer.Peer peer = server.acceptRequest()) {
                    assertThat(peer.request().first("Sec-WebSocket-Extensions")).isPresent();
                    peer.answer101(List.of("Sec-WebSocket-Extensions: permessage-deflate"));
                    try (WebSocket ws = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                        AtomicBoolean stop = new AtomicBoolean();
                        FutureTask<Integer> bombing = inBackground(() -> {
                            int sent = 0;
                            try {
                                for (; sent < 64 && !stop.get(); sent++) {
                                    byte[] piece = bomb.next(16 * 1024);
                                    peer.send(sent == 0 ? new RawFrame(false, RawFrame.RSV1, RawFrame.BINARY, piece)
                                            : RawFrame.continuation(false, piece));
                                }
                            } catch (IOException e) {
                                // our client stopped reading: the point
                            }
                            return sent;
                        });
                        try {
                            WebSocketException failure = expectFailure(ws, 1009);
                            assertThat(failure).hasMessageContaining("inflates to more than " + MAX_MESSAGE);
                            assertThat(peer.readUntilClose().closeCode()).isEqualTo(1009);
                        } finally {
                            stop.set(true);
                            bombing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                        }
                    }
                } finally {
                    bomb.end();
                }
            }
            assertHeapFlat(heapBefore, "oversized messages and a bomb sent to our client");
        });
    }

    // ---------------------------------------------------------------- helpers

    private static URI wss(String host, int port) {
        return URI.create("wss://" + host + ":" + port + "/");
    }

    private static Throwable rootCause(Throwable t) {
        Throwable root = t;
        for (int i = 0; i < 100 && root.getCause() != null; i++) {
            root = root.getCause();
        }
        return root;
    }

    private static void assertHeapFlat(long before, String after) {
        long growth = ProcessResources.heapUsedAfterGc() - before;
        assertThat(growth).as("live heap added by %s, in bytes", after).isLessThan(HEAP_GROWTH_LIMIT);
    }

    /** Opens a handshake with these extra header lines, expects 101, and returns its Sec-WebSocket-Extensions. */
    private static Optional<String> extensionsAnswer(int port, List<String> lines) throws IOException {
        try (RawClient raw = RawClient.connect(port)) {
            return raw.handshakeWith("/", lines).first("Sec-WebSocket-Extensions");
        }
    }

    /** Reads one message, frames up to FIN, and inflates it when its first frame has RSV1. */
    private static byte[] readMessage(RawEndpoint raw, Inflater inflater) throws Exception {
        raw.setReadTimeout(WAIT);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        RawFrame first = null;
        for (int i = 0; i < 10_000; i++) {
            RawFrame f = raw.readFrame();
            first = first == null ? f : first;
            payload.write(f.payload());
            if (f.fin()) {
                return (first.rsv() & RawFrame.RSV1) != 0
                        ? RawDeflate.inflate(inflater, payload.toByteArray(), Integer.MAX_VALUE)
                        : payload.toByteArray();
            }
        }
        throw new AssertionError("no final frame in 10,000");
    }

    /** A frame to send, by its number. */
    @FunctionalInterface
    private interface Frames {
        RawFrame next(int i) throws Exception;
    }

    /** Sends up to {@code max} frames on a thread of its own until the server's Close arrives; returns the Close. */
    private static RawFrame sendUntilClosed(RawClient raw, int max, Frames frames) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        FutureTask<Integer> writing = inBackground(() -> {
            int sent = 0;
            try {
                for (; sent < max && !stop.get(); sent++) {
                    raw.send(frames.next(sent));
                }
            } catch (IOException e) {
                // The server stopped reading after its Close; that is the point.
            }
            return sent;
        });
        try {
            raw.setReadTimeout(WAIT);
            RawFrame close = raw.readFrame();
            assertThat(close.opcode()).as("the server's answer: %s", close).isEqualTo(RawFrame.CLOSE);
            raw.expectEndOfStream(END);
            return close;
        } finally {
            stop.set(true);
            writing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Writes {@code bytes} {@code piece} bytes per write until done or the server hangs up; returns how many. */
    private static int writeInPieces(RawClient raw, byte[] bytes, int piece) {
        int written = 0;
        try {
            for (; written < bytes.length; written += piece) {
                raw.write(Arrays.copyOfRange(bytes, written, Math.min(bytes.length, written + piece)));
            }
        } catch (IOException e) {
            // the server answered and hung up: what was written is the count
        }
        return Math.min(written, bytes.length);
    }

    /** The payload of a Close frame: the code, big-endian, then the reason's UTF-8, and nothing else. */
    private static byte[] onTheWire(CloseStatus status) {
        byte[] reason = status.reason().getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (status.code() >> 8);
        payload[1] = (byte) status.code();
        System.arraycopy(reason, 0, payload, 2, reason.length);
        return payload;
    }

    private static WebSocketException expectFailure(WebSocket ws, int code) {
        Throwable thrown = catchThrowable(() -> Loopback.receive(ws));
        assertThat(thrown).isInstanceOf(WebSocketException.class);
        WebSocketException e = (WebSocketException) thrown;
        assertThat(e.status().code()).as("close code of %s", e).isEqualTo(code);
        return e;
    }

    /** Runs the tasks at once, each on a virtual thread, and fails with every failure if any failed. */
    private static void runAll(List<Siege.Attack> tasks) throws Exception {
        List<FutureTask<Void>> running = new ArrayList<>();
        for (Siege.Attack task : tasks) {
            running.add(inBackground(() -> {
                task.run();
                return null;
            }));
        }
        List<Throwable> failures = new ArrayList<>();
        for (FutureTask<Void> f : running) {
            try {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(e.getCause());
            }
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError(failures.size() + " of " + tasks.size() + " failed");
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }
}
