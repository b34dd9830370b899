package dev.duplex.bench;

import dev.duplex.Limits;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.Masking;
import dev.duplex.protocol.Rfc6455Protocol;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.Utf8Validator;
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
 * The protocol's hot paths: masking, UTF-8 validation, and frames through a server-side protocol object.
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

    /** Frames per second: ops/s x 1,000. */
    @Benchmark
    public void parse1000SmallFrames(Blackhole bh) {
        server.receive(smallFrames.duplicate());
        for (Event e; (e = server.nextEvent()) != null; ) {
            bh.consume(e);
        }
    }
}
