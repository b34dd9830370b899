package dev.duplex.io;

import dev.duplex.Limits;
import dev.duplex.WebSocketServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.RawAttacks.ascii;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every size limit at its edge, with the defaults of {@link Limits#DEFAULT} (the README's table): exactly at the
 * limit passes, one byte (or field, or frame) more gets the protocol's answer: 414 or 431 during the opening
 * handshake, 1009 for a message, frame or fragment count, 1002 for a control frame over 125 bytes.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LimitsEdgesTest {

    private static final Limits LIMITS = Loopback.LIMITS;
    private static final int MAX_MESSAGE = LIMITS.maxMessageSize();
    private static final Duration END = LIMITS.closeTimeout().plusSeconds(2);

    private static WebSocketServer server;

    @BeforeAll
    static void start() throws IOException {
        assertThat(LIMITS.withCloseTimeout(Limits.DEFAULT.closeTimeout())).as("the defaults, close timeout aside")
                .isEqualTo(Limits.DEFAULT);
        server = Loopback.echoServer(Loopback.serverOptions());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    // ---------------------------------------------------------------- messages

    /** How a message is put on the wire. */
    enum Shape {
        TEXT(RawFrame.TEXT, 1, false),
        BINARY(RawFrame.BINARY, 1, false),
        TEXT_IN_FOUR_FRAGMENTS(RawFrame.TEXT, 4, false),
        BINARY_IN_FOUR_FRAGMENTS(RawFrame.BINARY, 4, false),
        COMPRESSED_TEXT(RawFrame.TEXT, 1, true),
        COMPRESSED_BINARY_IN_FOUR_FRAGMENTS(RawFrame.BINARY, 4, true);

        final int opcode;
        final int fragments;
        final boolean compressed;

        Shape(int opcode, int fragments, boolean compressed) {
            this.opcode = opcode;
            this.fragments = fragments;
            this.compressed = compressed;
        }

        /** Opens a connection that can carry this shape (permessage-deflate negotiated when it is compressed). */
        RawClient open() throws IOException {
            return compressed ? RawDeflate.open(server.port(), RawDeflate.NO_TAKEOVER) : RawClient.open(server.port());
        }

        /** The message's frames: the payload (compressed first, if so) cut into {@link #fragments} pieces. */
        List<RawFrame> frames(byte[] message) {
            byte[] payload = message;
            if (compressed) {
                Deflater deflater = RawDeflate.deflater();
                try {
                    payload = RawDeflate.compress(deflater, message);
                } finally {
                    deflater.end();
                }
            }
            List<RawFrame> frames = new ArrayList<>();
            int piece = (payload.length + fragments - 1) / fragments;
            for (int i = 0; i < fragments; i++) {
                byte[] part = Arrays.copyOfRange(payload, Math.min(payload.length, i * piece),
                        Math.min(payload.length, (i + 1) * piece));
                frames.add(new RawFrame(i == fragments - 1, i == 0 && compressed ? RawFrame.RSV1 : 0,
                        i == 0 ? opcode : RawFrame.CONTINUATION, part));
            }
            return frames;
        }
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void aMessageOfExactlyMaxMessageSizeIsEchoedAndOneByteMoreFailsWith1009(Shape shape) throws Exception {
        // Text of two-byte characters: the limit counts UTF-8 bytes; the extra byte is one ASCII letter.
        byte[] atLimit = shape.opcode == RawFrame.TEXT
                ? "é".repeat(MAX_MESSAGE / 2).getBytes(StandardCharsets.UTF_8) : Loopback.pattern(MAX_MESSAGE, 7);
        if (shape.compressed) {
            Arrays.fill(atLimit, shape.opcode == RawFrame.TEXT ? (byte) 'a' : (byte) 0); // compressible, for the point
        }
        assertThat(atLimit).hasSize(MAX_MESSAGE);
        try (RawClient raw = shape.open()) {
            raw.send(shape.frames(atLimit).toArray(RawFrame[]::new));
            assertThat(readMessage(raw)).as("the echo of %d bytes", MAX_MESSAGE).isEqualTo(atLimit);
        }
        byte[] overLimit = Arrays.copyOf(atLimit, MAX_MESSAGE + 1);
        overLimit[MAX_MESSAGE] = 'a';
        try (RawClient raw = shape.open()) {
            raw.send(shape.frames(overLimit).toArray(RawFrame[]::new));
            RawFrame close = RawAttacks.expectClose(raw, 1009, END);
            // In one uncompressed frame the frame limit (the same number by default) speaks first.
            assertThat(close.closeReason()).containsAnyOf("more than " + MAX_MESSAGE + " bytes",
                    "over the limit of " + MAX_MESSAGE);
        }
    }

    @Test
    void aFrameOfExactlyMaxFrameSizeIsEchoedAndOneByteMoreFailsWith1009() throws Exception {
        int maxFrame = 64 * 1024;
        try (WebSocketServer small = Loopback.echoServer(Loopback.serverOptions()
                .withLimits(LIMITS.withMaxFrameSize(maxFrame)))) {
            byte[] frame = Loopback.pattern(maxFrame, 3);
            try (RawClient raw = RawClient.open(small.port())) {
                raw.send(RawFrame.binary(frame));
                assertThat(readMessage(raw)).isEqualTo(frame);
                // A message larger than a frame, in frames at the frame limit: fine too.
                byte[] message = Loopback.pattern(16 * maxFrame, 4);
                for (int i = 0; i < 16; i++) {
                    raw.send(new RawFrame(i == 15, 0, i == 0 ? RawFrame.BINARY : RawFrame.CONTINUATION,
                            Arrays.copyOfRange(message, i * maxFrame, (i + 1) * maxFrame)));
                }
                assertThat(readMessage(raw)).isEqualTo(message);
            }
            RawFrame close = RawAttacks.expectCloseAfter(small.port(), 1009, END,
                    RawFrame.binary(Arrays.copyOf(frame, maxFrame + 1)).encode(RawAttacks.mask()));
            assertThat(close.closeReason()).contains("over the limit of " + maxFrame);
        }
    }

    /**
     * A compressed frame may be an eighth (and 1 KiB) over the frame limit, since deflate grows incompressible data
     * a little: exactly that passes, a byte more fails. The payloads are deflate "stored" blocks, whose length is
     * exact to the byte.
     */
    @Test
    void aCompressedFrameOfExactlyTheCompressedFrameLimitIsEchoedAndOneByteMoreFailsWith1009() throws Exception {
        int maxFrame = 64 * 1024;
        int compressedLimit = maxFrame + maxFrame / 8 + 1024;
        try (WebSocketServer small = Loopback.echoServer(Loopback.serverOptions()
                .withLimits(LIMITS.withMaxFrameSize(maxFrame)))) {
            byte[] atLimit = storedBlocks(compressedLimit, 5);
            try (RawClient raw = RawDeflate.open(small.port(), RawDeflate.NO_TAKEOVER)) {
                raw.send(new RawFrame(true, RawFrame.RSV1, RawFrame.BINARY, atLimit));
                Inflater inflater = new Inflater(true);
                try {
                    assertThat(readMessage(raw)).isEqualTo(RawDeflate.inflate(inflater, atLimit, Integer.MAX_VALUE));
                } finally {
                    inflater.end();
                }
            }
            try (RawClient raw = RawDeflate.open(small.port(), RawDeflate.NO_TAKEOVER)) {
                raw.send(new RawFrame(true, RawFrame.RSV1, RawFrame.BINARY, storedBlocks(compressedLimit + 1, 6)));
                RawFrame close = RawAttacks.expectClose(raw, 1009, END);
                assertThat(close.closeReason()).contains("over the limit of " + compressedLimit);
            }
        }
    }

    @Test
    void aMessageInExactlyMaxFragmentsIsEchoedAndOneFragmentMoreFailsWith1009() throws Exception {
        int max = LIMITS.maxFragments();
        for (int fragments : new int[] {max, max + 1}) {
            RawFrame[] frames = new RawFrame[fragments];
            for (int i = 0; i < fragments; i++) {
                frames[i] = new RawFrame(i == fragments - 1, 0, i == 0 ? RawFrame.TEXT : RawFrame.CONTINUATION,
                        new byte[] {'x'});
            }
            try (RawClient raw = RawClient.open(server.port())) {
                raw.send(frames);
                if (fragments == max) {
                    assertThat(readMessage(raw)).isEqualTo(ascii("x".repeat(max)));
                } else {
                    RawFrame close = RawAttacks.expectClose(raw, 1009, END);
                    assertThat(close.closeReason()).contains("more than " + max + " frames");
                }
            }
        }
    }

    // ---------------------------------------------------------------- control frames

    @Test
    void aPingOf125BytesIsAnsweredAndOneOf126FailsWith1002() throws Exception {
        byte[] payload = Loopback.pattern(125, 9);
        try (RawClient raw = RawClient.open(server.port())) {
            raw.send(new RawFrame(true, 0, RawFrame.PING, payload));
            RawFrame pong = raw.readFrame();
            assertThat(pong.opcode()).isEqualTo(RawFrame.PONG);
            assertThat(pong.payload()).isEqualTo(payload);
            raw.send(new RawFrame(true, 0, RawFrame.PONG, payload)); // an unsolicited pong of 125: ignored
            raw.send(new RawFrame(true, 0, RawFrame.PING, Arrays.copyOf(payload, 126)));
            RawFrame close = RawAttacks.expectClose(raw, 1002, END);
            assertThat(close.closeReason()).contains("125");
        }
        RawAttacks.expectCloseAfter(server.port(), 1002, END,
                new RawFrame(true, 0, RawFrame.PONG, new byte[126]).encode(RawAttacks.mask()));
    }

    @Test
    void aCloseOf125BytesIsAnsweredAndOneOf126FailsWith1002() throws Exception {
        try (RawClient raw = RawClient.open(server.port())) {
            raw.send(RawFrame.close(4000, "r".repeat(123)));
            RawFrame answer = raw.readFrame();
            assertThat(answer.opcode()).isEqualTo(RawFrame.CLOSE);
            assertThat(answer.closeCode()).isEqualTo(4000);
            raw.expectEndOfStream(END);
        }
        RawAttacks.expectCloseAfter(server.port(), 1002, END, RawFrame.close(4000, "r".repeat(124))
                .encode(RawAttacks.mask()));
    }

    // ---------------------------------------------------------------- the opening handshake

    @Test
    void aRequestLineOfExactlyMaxHeaderLineLengthIsAcceptedAndOneByteMoreGets414() throws Exception {
        int max = LIMITS.maxHeaderLineLength();
        String target = "/?" + "q".repeat(max - "GET  HTTP/1.1".length() - 2);
        assertThat(("GET " + target + " HTTP/1.1").length()).isEqualTo(max);
        try (RawClient raw = RawClient.connect(server.port())) {
            raw.handshakeWith(target, List.of());
        }
        RawAttacks.refusedWhileWriting(server.port(), 414, END, RawClient.request(target + "q", RawClient.newKey()));
    }

    @Test
    void aHeaderLineOfExactlyMaxHeaderLineLengthIsAcceptedAndOneByteMoreGets431() throws Exception {
        int max = LIMITS.maxHeaderLineLength();
        String line = "X-Long: " + "v".repeat(max - "X-Long: ".length());
        assertThat(line).hasSize(max);
        try (RawClient raw = RawClient.connect(server.port())) {
            raw.handshakeWith("/", List.of(line));
        }
        RawAttacks.refusedWhileWriting(server.port(), 431, END, RawClient.request("/", RawClient.newKey(),
                line + "v"));
    }

    @Test
    void exactlyMaxHeaderCountFieldsAreAcceptedAndOneMoreGets431() throws Exception {
        int own = 5; // Host, Upgrade, Connection, Sec-WebSocket-Key, Sec-WebSocket-Version
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < LIMITS.maxHeaderCount() - own; i++) {
            extra.add("X-Field-" + i + ": " + i);
        }
        try (RawClient raw = RawClient.connect(server.port())) {
            raw.handshakeWith("/", extra);
        }
        extra.add("X-One-More: 1");
        RawAttacks.refusedWhileWriting(server.port(), 431, END,
                RawClient.request("/", RawClient.newKey(), extra.toArray(String[]::new)));
    }

    @Test
    void aHeadOfExactlyMaxHeaderBytesIsAcceptedAndOneByteMoreGets431() throws Exception {
        int max = LIMITS.maxHeaderBytes();
        String key = RawClient.newKey();
        List<String> padding = paddingTo(max, key);
        byte[] atLimit = RawClient.request("/", key, padding.toArray(String[]::new));
        assertThat(atLimit).hasSize(max);
        try (RawClient raw = RawClient.connect(server.port())) {
            raw.write(atLimit);
            RawEndpoint.HttpHead response = raw.readHttp();
            assertThat(response.status()).as(response.startLine()).isEqualTo(101);
            assertThat(response.first("Sec-WebSocket-Accept")).hasValue(RawClient.acceptFor(key));
        }
        padding.set(0, padding.getFirst() + "p");
        byte[] overLimit = RawClient.request("/", key, padding.toArray(String[]::new));
        assertThat(overLimit).hasSize(max + 1);
        RawAttacks.refusedWhileWriting(server.port(), 431, END, overLimit);
    }

    /** Header lines, each within the line limit, that make the request with this key exactly {@code total} bytes. */
    private static List<String> paddingTo(int total, String key) {
        int remaining = total - RawClient.request("/", key).length;
        List<String> lines = new ArrayList<>();
        for (int i = 0; remaining > 0 && i < 1000; i++) {
            String name = "X-Pad-" + i + ": ";
            // Each line costs its length plus CRLF; leave nothing shorter than a name for the last one.
            int cost = Math.min(remaining, 8000);
            if (remaining - cost > 0 && remaining - cost < 64) {
                cost -= 64;
            }
            lines.add(name + "p".repeat(cost - 2 - name.length()));
            remaining -= cost;
        }
        assertThat(remaining).isZero();
        return lines;
    }

    // ---------------------------------------------------------------- helpers

    /** Reads one message, frames up to FIN, inflating it when its first frame has RSV1 (no context takeover). */
    private static byte[] readMessage(RawClient raw) throws Exception {
        raw.setReadTimeout(WAIT);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        RawFrame first = null;
        for (int i = 0; i < 100_000; i++) {
            RawFrame f = raw.readFrame();
            first = first == null ? f : first;
            payload.write(f.payload());
            if (f.fin()) {
                if ((first.rsv() & RawFrame.RSV1) == 0) {
                    return payload.toByteArray();
                }
                Inflater inflater = new Inflater(true);
                try {
                    return RawDeflate.inflate(inflater, payload.toByteArray(), Integer.MAX_VALUE);
                } finally {
                    inflater.end();
                }
            }
        }
        throw new AssertionError("no final frame in 100,000");
    }

    /**
     * Deflate data of exactly {@code length} bytes made of non-final stored blocks (RFC 1951 §3.2.4: a header byte,
     * LEN and NLEN, then LEN bytes as they are), holding seeded bytes.
     */
    private static byte[] storedBlocks(int length, int seed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        byte[] data = Loopback.pattern(length, seed);
        int at = 0;
        while (out.size() < length) {
            int n = Math.min(65535, length - out.size() - 5);
            out.write(0); // BFINAL 0, BTYPE 00, padded to the byte
            out.write(n & 0xFF);
            out.write(n >>> 8);
            out.write(~n & 0xFF);
            out.write((~n >>> 8) & 0xFF);
            out.write(data, at, n);
            at += n;
        }
        return out.toByteArray();
    }
}
