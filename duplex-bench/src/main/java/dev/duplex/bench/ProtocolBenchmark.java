package dev.duplex.bench;

import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.FrameReader;
import dev.duplex.protocol.FrameWriter;
import dev.duplex.protocol.Masking;
import dev.duplex.protocol.Rfc6455Protocol;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.Utf8Validator;
import dev.duplex.protocol.handshake.HttpException;
import dev.duplex.protocol.handshake.HttpParser;
import dev.duplex.protocol.handshake.ServerHandshake;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The protocol's hot paths: masking, UTF-8 validation, frame parsing and writing, messages through a server-side
 * protocol object both ways, and the server's opening handshake. (Deflate and inflate: {@link DeflateBenchmark}.)
 * Run: {@code java -jar duplex-bench/target/benchmarks.jar ProtocolBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProtocolBenchmark {

    private static final int BLOCK = 64 * 1024;

    private byte[] payload;
    private byte[] text;
    private ByteBuffer smallFrames;
    private Rfc6455Protocol server;
    private Rfc6455Protocol sender;
    private final FrameReader frames = new FrameReader();
    private final byte[] scratch = new byte[128];
    private Message message;
    private ByteBuffer upgradeRequest;

    @Setup
    public void setUp() {
        payload = new byte[BLOCK];
        new Random(1).nextBytes(payload);
        text = "The quick brown fox jumps over the lazy dog; héllo wörld €. ".repeat(BLOCK / 60)
                .getBytes(StandardCharsets.UTF_8);
        // 1,000 masked 32-byte text frames, as a client sends them.
        byte[] frame = new byte[2 + 4 + 32];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | 32);
        frame[2] = 0x37;
        frame[3] = (byte) 0xfa;
        frame[4] = 0x21;
        frame[5] = 0x3d;
        byte[] body = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(body, 0, frame, 6, 32);
        Masking.mask(frame, 6, 32, 0x37fa213d, 0);
        smallFrames = ByteBuffer.allocate(frame.length * 1000);
        for (int i = 0; i < 1000; i++) {
            smallFrames.put(frame);
        }
        smallFrames.flip();
        server = new Rfc6455Protocol(Role.SERVER, Limits.DEFAULT, new Random(2));
        sender = new Rfc6455Protocol(Role.SERVER, Limits.DEFAULT, new Random(3));
        message = Message.text("0123456789abcdef0123456789abcdef");
        upgradeRequest = ByteBuffer.wrap(("""
                GET /chat?room=1 HTTP/1.1\r
                Host: example.com:8080\r
                Connection: Upgrade\r
                Pragma: no-cache\r
                Cache-Control: no-cache\r
                User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36\r
                Upgrade: websocket\r
                Origin: http://example.com:8080\r
                Sec-WebSocket-Version: 13\r
                Accept-Encoding: gzip, deflate, br, zstd\r
                Accept-Language: en-US,en;q=0.9\r
                Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
                Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r
                \r
                """).getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();
    }

    /** Bytes per second: ops/s x 64 KiB. */
    @Benchmark
    public int mask64k() {
        return Masking.mask(payload, 0, BLOCK, 0x37fa213d, 1);
    }

    /** Bytes per second: ops/s x the text's length (about 64 KiB, mostly ASCII). */
    @Benchmark
    public boolean validateUtf8() {
        return Utf8Validator.isValid(text, 0, text.length);
    }

    /**
     * Frames per second: ops/s x 1,000. The frame layer alone: each header parsed and each 32-byte payload copied
     * out and unmasked, as the protocol object has it done.
     */
    @Benchmark
    public long parse1000SmallFrames() {
        ByteBuffer in = smallFrames.duplicate();
        long sum = 0;
        while (in.hasRemaining()) {
            if (frames.readHeader(in)) {
                sum += frames.opcode();
                frames.readPayload(in, scratch, 0);
                sum += scratch[31];
            }
        }
        return sum;
    }

    /** Frames per second: ops/s x 1,000. Server frame headers for 32-byte payloads, as the protocol writes them. */
    @Benchmark
    public int write1000SmallFrameHeaders() {
        int p = 0;
        for (int i = 0; i < 1000; i++) {
            p += FrameWriter.writeHeader(scratch, p & 63, true, 0, 1, 32, false, 0);
        }
        return p;
    }

    /**
     * Messages per second: ops/s x 1,000. One message through the whole protocol object: 1,000 masked 32-byte text
     * frames parsed, unmasked, validated as UTF-8 and delivered as text events.
     */
    @Benchmark
    public int receive1000SmallMessages(Blackhole bh) {
        server.receive(smallFrames.duplicate());
        int texts = 0;
        for (Event e; (e = server.nextEvent()) != null; ) {
            bh.consume(e);
            if (e instanceof Event.Received r && r.message() instanceof Message.Text) {
                texts++;
            }
        }
        return texts;
    }

    /** Messages per second: ops/s x 100. A 32-byte text message sent through the protocol and its output taken. */
    @Benchmark
    public void send100SmallMessages(Blackhole bh) {
        for (int i = 0; i < 100; i++) {
            sender.send(message);
            for (ByteBuffer b; (b = sender.nextOutput()) != null; ) {
                bh.consume(b);
            }
        }
    }

    /** Handshakes per second: a browser's upgrade request parsed and validated, and the 101 response made. */
    @Benchmark
    public byte[] serverHandshake() throws HttpException {
        HttpParser.Head head = new HttpParser(Limits.DEFAULT).parse(upgradeRequest.duplicate());
        return ServerHandshake.accept(ServerHandshake.validate(head), Headers.EMPTY);
    }
}
