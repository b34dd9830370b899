package dev.duplex.io;

import dev.duplex.ClientOptions;
import dev.duplex.Compression;
import dev.duplex.HandshakeException;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.handshake.ExtensionMismatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.Loopback.awaitCondition;
import static dev.duplex.io.Loopback.echo;
import static dev.duplex.io.Loopback.receiveWithin;
import static dev.duplex.io.Loopback.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** permessage-deflate between our client and our server over loopback, in every pairing of settings. */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CompressionLoopbackTest {

    private static final Limits BIG = Loopback.LIMITS.withMaxMessageSize(8 << 20).withMaxFrameSize(8 << 20);

    static Stream<Arguments> pairings() {
        return Stream.of(
                Arguments.of("the defaults", Compression.DEFAULT, Compression.LOW_MEMORY),
                Arguments.of("context takeover both ways", Compression.DEFAULT, Compression.DEFAULT),
                Arguments.of("a client asking for 9-bit windows", Compression.DEFAULT.withMaxWindowBits(9, 9),
                        Compression.DEFAULT),
                Arguments.of("a server asking for a 10-bit client window and using 12 bits",
                        Compression.DEFAULT, Compression.DEFAULT.withMaxWindowBits(12, 10)),
                Arguments.of("8-bit windows without takeover", Compression.LOW_MEMORY.withMaxWindowBits(8, 8),
                        Compression.LOW_MEMORY),
                Arguments.of("every message compressed", Compression.DEFAULT.withThreshold(0),
                        Compression.LOW_MEMORY.withThreshold(0)));
    }

    /** Sizes from empty to 4 MiB, random and highly compressible, text and binary. */
    static List<Message> messages() {
        Random random = new Random(7692);
        List<Message> messages = new ArrayList<>();
        for (int size : new int[] {0, 1, 100, 255, 256, 1000, 65_536, 1 << 20, 4 << 20}) {
            byte[] noise = new byte[size];
            random.nextBytes(noise);
            messages.add(Message.binary(noise));
            messages.add(Message.binary(new byte[size]));
            messages.add(Message.text("duplex ".repeat(size / 7 + 1).substring(0, size)));
            if (size <= 65_536) {
                StringBuilder sb = new StringBuilder(size);
                while (sb.length() < size) {
                    sb.appendCodePoint(0x20 + random.nextInt(0x3000));
                }
                messages.add(Message.text(sb.toString()));
            }
        }
        return messages;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairings")
    void everyMessageComesBackIntactWithCompressionNegotiated(String name, Compression client, Compression server)
            throws Exception {
        long before = ZlibPool.SHARED.outstanding();
        try (WebSocketServer s = WebSocketServer.start(Loopback.serverOptions().withLimits(BIG)
                .withCompression(server), echo())) {
            try (WebSocket ws = WebSocket.connect(uri(s), Headers.EMPTY,
                    ClientOptions.DEFAULT.withLimits(BIG).withCompression(client))) {
                assertThat(ws.headers().first("Sec-WebSocket-Extensions")).get(
                        org.assertj.core.api.InstanceOfAssertFactories.STRING).startsWith("permessage-deflate");
                for (Message m : messages()) {
                    ws.send(m);
                    assertThat(receiveWithin(ws, WAIT)).as("%s of %d", m.getClass().getSimpleName(),
                            m.toBytes().length).isEqualTo(m);
                }
            }
            awaitCondition("the server's connection is gone", WAIT, () -> s.connectionCount() == 0);
        }
        awaitCondition("every zlib stream given back", WAIT, () -> ZlibPool.SHARED.outstanding() == before);
    }

    /**
     * With context takeover, a compressor that has just flushed has nothing new to flush for an empty message, and
     * zlib then writes nothing at all (its "no progress" answer to a repeated flush); the empty message must still go
     * out as one, whatever came before it. Found by the soak run (duplex-bench Soak), where clients compress every
     * message, empty ones included.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pairings")
    void anEmptyMessageAfterOthersIsSentAndEchoed(String name, Compression client, Compression server)
            throws Exception {
        try (WebSocketServer s = WebSocketServer.start(
                Loopback.serverOptions().withCompression(server.withThreshold(0)), echo());
             WebSocket ws = WebSocket.connect(uri(s), Headers.EMPTY,
                     Loopback.clientOptions().withCompression(client.withThreshold(0)))) {
            for (Message m : List.of(Message.text(""), Message.text("hello"), Message.text(""), Message.text(""),
                    Message.binary(new byte[0]), Message.binary(new byte[1000]), Message.binary(new byte[0]))) {
                ws.send(m);
                assertThat(receiveWithin(ws, WAIT)).isEqualTo(m);
            }
        }
    }

    @Test
    void aClientThatOffersNothingTalksUncompressedToACompressingServer() throws Exception {
        try (WebSocketServer s = Loopback.echoServer(Loopback.serverOptions());
             WebSocket ws = WebSocket.connect(uri(s), Headers.EMPTY,
                     Loopback.clientOptions().withCompression(Compression.DISABLED))) {
            assertThat(ws.headers().contains("Sec-WebSocket-Extensions")).isFalse();
            ws.send("x".repeat(10_000));
            assertThat(receiveWithin(ws, WAIT)).isEqualTo(Message.text("x".repeat(10_000)));
        }
    }

    @Test
    void aServerThatDeclinesLeavesTheClientUncompressed() throws Exception {
        try (WebSocketServer s = Loopback.echoServer(Loopback.serverOptions().withCompression(Compression.DISABLED));
             WebSocket ws = Loopback.connect(s)) {
            assertThat(ws.headers().contains("Sec-WebSocket-Extensions")).isFalse();
            ws.send("y".repeat(10_000));
            assertThat(receiveWithin(ws, WAIT)).isEqualTo(Message.text("y".repeat(10_000)));
        }
    }

    /**
     * RFC 6455 §4.1: a server that accepts an extension the client did not offer, or with parameters the offer does
     * not allow, makes the client fail the connection; it says so with Close 1010 (Mandatory Ext.).
     */
    @Test
    void anAnswerTheOfferDoesNotAllowFailsWith1010() throws Exception {
        for (String answer : List.of("permessage-deflate; x_unknown", "x-webkit-deflate-frame")) {
            try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                CompletableFuture<byte[]> closeFrame = CompletableFuture.supplyAsync(() -> answerWith(raw, answer));
                assertThatThrownBy(() -> WebSocket.connect(uri(raw.getLocalPort(), "/"), Headers.EMPTY,
                        Loopback.clientOptions()))
                        .isInstanceOf(ExtensionMismatch.class).isInstanceOf(HandshakeException.class);
                byte[] frame = closeFrame.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(frame[0] & 0xFF).isEqualTo(0x88);
                assertThat(frame[1] & 0x80).as("masked, as a client's frames are").isEqualTo(0x80);
                int len = frame[1] & 0x7F;
                byte[] payload = new byte[len];
                for (int i = 0; i < len; i++) {
                    payload[i] = (byte) (frame[6 + i] ^ frame[2 + (i % 4)]);
                }
                assertThat(((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF)).isEqualTo(1010);
            }
        }
    }

    /** A raw server: answers 101 with this Sec-WebSocket-Extensions and returns the first frame the client sends. */
    private static byte[] answerWith(ServerSocket raw, String extensions) {
        try (Socket s = raw.accept()) {
            s.setSoTimeout((int) WAIT.toMillis());
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("no request");
                }
                head.write(b);
            }
            String key = head.toString(StandardCharsets.ISO_8859_1).lines()
                    .filter(l -> l.regionMatches(true, 0, "Sec-WebSocket-Key:", 0, 18))
                    .findFirst().orElseThrow().substring(18).strip();
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + RawClient.acceptFor(key) + "\r\n"
                    + "Sec-WebSocket-Extensions: " + extensions + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            byte[] header = in.readNBytes(2);
            int len = header[1] & 0x7F;
            byte[] rest = in.readNBytes(4 + len);
            byte[] frame = new byte[2 + rest.length];
            System.arraycopy(header, 0, frame, 0, 2);
            System.arraycopy(rest, 0, frame, 2, rest.length);
            return frame;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /**
     * Native memory over 10,000 connections opened and closed with compression and context takeover both ways, so
     * that each side creates its own zlib streams: none is left outstanding, and resident memory stays flat.
     */
    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void tenThousandCompressedConnectionsLeaveNoZlibMemoryBehind() throws Exception {
        ServerOptions options = Loopback.serverOptions().withCompression(Compression.DEFAULT).withBacklog(1024);
        ClientOptions client = Loopback.clientOptions().withCompression(Compression.DEFAULT.withThreshold(0));
        byte[] text = "compress me, compress me, ".repeat(80).getBytes(StandardCharsets.UTF_8);
        try (WebSocketServer s = Loopback.echoServer(options)) {
            long baselineStreams = ZlibPool.SHARED.outstanding();
            int threads = 8;
            int perThread = 10_000 / threads;
            long rssAfterWarmUp = 0;
            for (int round = 0; round < 2; round++) {
                int each = round == 0 ? 50 : perThread;
                List<Thread> workers = new ArrayList<>();
                List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
                for (int t = 0; t < threads; t++) {
                    workers.add(Thread.ofVirtual().start(() -> {
                        try {
                            for (int i = 0; i < each; i++) {
                                try (WebSocket ws = WebSocket.connect(uri(s), Headers.EMPTY, client)) {
                                    ws.send(ByteBuffer.wrap(text));
                                    assertThat(receiveWithin(ws, WAIT)).isEqualTo(Message.binary(text));
                                }
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }));
                }
                for (Thread w : workers) {
                    assertThat(w.join(Duration.ofSeconds(240))).isTrue();
                }
                assertThat(failures).isEmpty();
                awaitCondition("every server connection gone", WAIT, () -> s.connectionCount() == 0);
                awaitCondition("every zlib stream given back", WAIT,
                        () -> ZlibPool.SHARED.outstanding() == baselineStreams);
                if (round == 0) {
                    rssAfterWarmUp = ProcessResources.residentKiB();
                }
            }
            long growth = ProcessResources.residentKiB() - rssAfterWarmUp;
            System.out.printf("resident memory after warm-up %d KiB, after 10,000 connections %+d KiB%n",
                    rssAfterWarmUp, growth);
            // Leaked streams would cost about 600 KiB a connection (both sides' compressor and decompressor): 6 GiB.
            assertThat(growth).as("native memory growth in KiB over 10,000 connections").isLessThan(64 * 1024);
        }
    }
}
