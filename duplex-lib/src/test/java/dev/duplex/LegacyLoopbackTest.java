package dev.duplex;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The legacy framings over real loopback sockets: our client and server, and raw peers that write exact bytes. */
@Timeout(30)
class LegacyLoopbackTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private WebSocketServer server;
    /** What the server's handler saw: each message's text, then "end" or "failed: <message>". */
    private final BlockingQueue<String> seen = new ArrayBlockingQueue<>(100);

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** An echo server with the spec's Origin/Location headers, serving hixie-76 clients with {@code framing}. */
    private URI startEchoServer(Framing framing) throws IOException {
        // The spec's example echoes whatever Origin a page has, so every origin is allowed here.
        server = WebSocketServer.start(ServerOptions.DEFAULT.withListenAddress(LOOPBACK).withFraming(framing)
                        .withOriginPolicy(OriginPolicy.any())
                        .withLimits(Limits.DEFAULT.withMaxMessageSize(1024).withCloseTimeout(java.time.Duration.ofSeconds(2))),
                request -> Upgrade.accept(Headers.of(
                        "Sec-WebSocket-Origin", request.headers().first("Origin").orElse(""),
                        "Sec-WebSocket-Location", "ws://" + request.headers().first("Host").orElseThrow()
                                + request.target()), null),
                (ws, state) -> {
                    try {
                        for (Message m; (m = ws.receive()) != null; ) {
                            if (m instanceof Message.Text t) {
                                seen.add(t.text());
                            }
                            ws.send(m);
                        }
                        seen.add("end");
                    } catch (WebSocketException e) {
                        seen.add("failed: " + e.getMessage());
                    }
                });
        return URI.create("ws://127.0.0.1:" + server.port() + "/demo?q=1");
    }

    @ParameterizedTest
    @EnumSource(value = Framing.class, names = {"OLD", "NEW"})
    void ourLegacyClientTalksToOurLegacyServer(Framing framing) throws Exception {
        URI uri = startEchoServer(framing);
        try (WebSocket ws = WebSocket.connect(uri, Headers.of("Origin", "http://example.com"),
                ClientOptions.DEFAULT.withFraming(framing))) {
            assertThat(ws.startLine()).isEqualTo("HTTP/1.1 101 WebSocket Protocol Handshake");
            assertThat(ws.headers().first("Sec-WebSocket-Origin")).hasValue("http://example.com");
            assertThat(ws.headers().first("Sec-WebSocket-Location")).hasValue("ws://127.0.0.1:" + server.port() + "/demo?q=1");
            for (String text : new String[] {"hello", "", "hé€", "x".repeat(1024)}) {
                ws.send(text);
                assertThat(ws.receive()).isEqualTo(Message.text(text));
            }
            assertThatThrownBy(() -> ws.send(Message.binary(new byte[] {1})))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text only");
        }
        assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("hello");
        seen.poll(5, TimeUnit.SECONDS);
        seen.poll(5, TimeUnit.SECONDS);
        seen.poll(5, TimeUnit.SECONDS);
        assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("end");
    }

    @ParameterizedTest
    @EnumSource(value = Framing.class, names = {"OLD", "NEW"})
    void theServerClosingEndsTheLegacyClientsStreamCleanly(Framing framing) throws Exception {
        server = WebSocketServer.start(ServerOptions.DEFAULT.withListenAddress(LOOPBACK).withFraming(framing),
                (ws, state) -> ws.send("bye"));
        try (WebSocket ws = WebSocket.connect(URI.create("ws://127.0.0.1:" + server.port() + "/"), Headers.EMPTY,
                ClientOptions.DEFAULT.withFraming(framing))) {
            assertThat(ws.receive()).isEqualTo(Message.text("bye"));
            assertThat(ws.receive()).isNull();
            assertThat(ws.closeStatus()).hasValue(CloseStatus.NO_STATUS_RCVD);
        }
    }

    @Test
    void aServerWithOldFramingServesRfc6455AndHixie76ClientsAtTheSameTime() throws Exception {
        URI uri = startEchoServer(Framing.OLD);
        try (WebSocket modern = WebSocket.connect(uri);
             WebSocket legacy = WebSocket.connect(uri, Headers.EMPTY, ClientOptions.DEFAULT.withFraming(Framing.OLD))) {
            assertThat(modern.startLine()).isEqualTo("HTTP/1.1 101 Switching Protocols");
            assertThat(legacy.startLine()).isEqualTo("HTTP/1.1 101 WebSocket Protocol Handshake");
            for (int i = 0; i < 20; i++) {
                modern.send("modern " + i);
                legacy.send("legacy " + i);
                modern.send(Message.binary(new byte[] {(byte) i}));
                assertThat(legacy.receive()).isEqualTo(Message.text("legacy " + i));
                assertThat(modern.receive()).isEqualTo(Message.text("modern " + i));
                assertThat(((Message.Binary) modern.receive()).bytes()).containsExactly((byte) i);
            }
        }
    }

    @Test
    void aDefaultServerRefusesAHixie76HandshakeWith400() throws Exception {
        URI uri = startEchoServer(Framing.RFC6455);
        assertThatThrownBy(() -> WebSocket.connect(uri, Headers.EMPTY, ClientOptions.DEFAULT.withFraming(Framing.OLD)))
                .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    // ---------------------------------------------------------------- a raw hixie-76 client

    private static byte[] md5Answer(long n1, long n2, byte[] key3) throws Exception {
        byte[] challenge = new byte[16];
        for (int i = 0; i < 4; i++) {
            challenge[i] = (byte) (n1 >>> (24 - 8 * i));
            challenge[4 + i] = (byte) (n2 >>> (24 - 8 * i));
        }
        System.arraycopy(key3, 0, challenge, 8, 8);
        return MessageDigest.getInstance("MD5").digest(challenge);
    }

    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        assertThat(bytes).as("bytes before the end of the stream").hasSize(n);
        return bytes;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("a byte of the response head").isNotNegative();
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Opens a raw socket and completes a hixie-76 handshake whose Key1 ends in a space, as Racket's keys can. */
    private Socket rawHixie76Client() throws Exception {
        Socket socket = new Socket(LOOPBACK, server.port());
        socket.setSoTimeout(5000);
        // Key1 "2 000 ": digits 2000, two spaces (the last one trailing) -> 1000. Key2 is Vector A's.
        String key2 = "1_ tx7X d  <  nw  334J702) 7]o}` 0";
        byte[] key3 = "Tm[K T2u".getBytes(StandardCharsets.US_ASCII);
        String request = "GET /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key2: " + key2 + "\r\nUpgrade: WebSocket\r\nSec-WebSocket-Key1: 2 000 \r\n"
                + "Origin: http://example.com\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.write(key3);
        out.flush();
        InputStream in = socket.getInputStream();
        assertThat(readHead(in)).isEqualTo("HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
                + "Upgrade: WebSocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Origin: http://example.com\r\n"
                + "Sec-WebSocket-Location: ws://example.com/demo\r\n\r\n");
        assertThat(readExactly(in, 16)).isEqualTo(md5Answer(1000, 173347027L, key3));
        return socket;
    }

    @ParameterizedTest
    @EnumSource(value = Framing.class, names = {"OLD", "NEW"})
    void aRawHixie76ClientWithAKeyEndingInASpaceIsAnsweredAndEchoedByteForByte(Framing framing) throws Exception {
        startEchoServer(framing);
        try (Socket socket = rawHixie76Client()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            String hello = framing == Framing.OLD ? "0068656c6c6fff" : "ff000000000000000568656c6c6f";
            String accented = framing == Framing.OLD ? "0068c3a9e282acff" : "ff000000000000000668c3a9e282ac";
            out.write(HexFormat.of().parseHex(hello + accented));
            out.flush();
            byte[] echoed = readExactly(in, (hello.length() + accented.length()) / 2);
            assertThat(HexFormat.of().formatHex(echoed)).isEqualTo(hello + accented);
            // The client's close frame is answered with one, then the server closes TCP.
            String close = framing == Framing.OLD ? "ff00" : "000000000000000000";
            out.write(HexFormat.of().parseHex(close));
            out.flush();
            assertThat(HexFormat.of().formatHex(readExactly(in, close.length() / 2))).isEqualTo(close);
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("hello");
        assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("hé€");
        assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("end");
    }

    /** Malformed legacy input: the server's handler gets a clear exception, and the connection ends. */
    private void assertMalformedInputEndsTheConnection(Framing framing, String hexBytes, boolean halfClose,
                                                      String expectedMessage) throws Exception {
        startEchoServer(framing);
        try (Socket socket = rawHixie76Client()) {
            OutputStream out = socket.getOutputStream();
            out.write(HexFormat.of().parseHex(hexBytes));
            out.flush();
            if (halfClose) {
                socket.shutdownOutput();
            }
            assertThat(seen.poll(10, TimeUnit.SECONDS)).startsWith("failed: ").contains(expectedMessage);
            InputStream in = socket.getInputStream();
            byte[] rest = in.readAllBytes(); // a close frame, if the server could still send one, then the end
            assertThat(rest.length).isLessThanOrEqualTo(9);
        }
        // The handler has returned; the server forgets the connection once its close has completed.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.connectionCount() > 0 && System.nanoTime() - deadline < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // poll a condition, bounded by the deadline
        }
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void oldFramingFfWithNothingAfterItEndsTheConnectionWithAClearException() throws Exception {
        assertMalformedInputEndsTheConnection(Framing.OLD, "ff", true, "connection closed inside a close frame");
    }

    @Test
    void oldFramingTextWithoutATerminatorBeyondTheSizeLimitEndsTheConnection() throws Exception {
        assertMalformedInputEndsTheConnection(Framing.OLD, "00" + "61".repeat(1025), false,
                "message of more than 1024 bytes");
    }

    @ParameterizedTest
    @EnumSource(value = Framing.class, names = {"OLD", "NEW"})
    void invalidUtf8EndsTheConnectionWithAClearException(Framing framing) throws Exception {
        assertMalformedInputEndsTheConnection(framing, framing == Framing.OLD ? "0061c0ff" : "ff00000000000000026180",
                false, "invalid UTF-8");
    }

    @Test
    void newFramingTruncatedLengthEndsTheConnectionWithAClearException() throws Exception {
        assertMalformedInputEndsTheConnection(Framing.NEW, "ff000000", true, "connection closed inside a frame");
    }

    // ---------------------------------------------------------------- a raw server that answers as Racket's did

    @Test
    void ourLegacyClientTalksToAServerThatAnswersAndClosesAsTheSpecsServerDid() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 1, LOOPBACK)) {
            CompletableFuture<String> requestSeen = CompletableFuture.supplyAsync(() -> {
                try (Socket s = raw.accept()) {
                    s.setSoTimeout(5000);
                    InputStream in = s.getInputStream();
                    String head = readHead(in);
                    byte[] key3 = readExactly(in, 8);
                    long n1 = dev.duplex.protocol.legacy.Hixie76Handshake.keyNumber(field(head, "Sec-WebSocket-Key1"));
                    long n2 = dev.duplex.protocol.legacy.Hixie76Handshake.keyNumber(field(head, "Sec-WebSocket-Key2"));
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\n"
                            + "Connection: Upgrade\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(md5Answer(n1, n2, key3));
                    out.write(HexFormat.of().parseHex("0068656c6c6fff"));
                    out.flush();
                    // Racket's server closes TCP without a close frame when its handler returns.
                    return head;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (WebSocket ws = WebSocket.connect(URI.create("ws://127.0.0.1:" + raw.getLocalPort() + "/a%20b?x=1"),
                    Headers.EMPTY, ClientOptions.DEFAULT.withFraming(Framing.OLD))) {
                assertThat(ws.receive()).isEqualTo(Message.text("hello"));
                assertThat(ws.receive()).isNull();
            }
            String head = requestSeen.get(5, TimeUnit.SECONDS);
            assertThat(head).startsWith("GET /a%20b?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + raw.getLocalPort() + "\r\n");
        }
    }

    /** A header's value with only leading spaces stripped, as the hixie-76 key rules need. */
    private static String field(String head, String name) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).stripLeading();
            }
        }
        throw new AssertionError("no " + name + " in " + head);
    }
}
