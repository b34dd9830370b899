package dev.duplex.bench;

import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.Rfc6455Protocol;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.deflate.DeflateNegotiation;
import dev.duplex.protocol.deflate.PerMessageDeflate;
import dev.duplex.protocol.deflate.Zlib;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A message sent and received through a server-side and a client-side protocol, with permessage-deflate and without:
 * what compression costs against the uncompressed path, in the same run.
 * Run: {@code java -jar duplex-bench/target/benchmarks.jar DeflateBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DeflateBenchmark {

    /** Message size in bytes. */
    @Param({"1024", "65536"})
    public int size;

    /** none, or permessage-deflate with or without context takeover. */
    @Param({"none", "no-takeover", "takeover"})
    public String compression;

    private Message message;
    private Rfc6455Protocol sender;
    private Rfc6455Protocol receiver;

    @Setup
    public void setUp() {
        // JSON-like text: what compression is for.
        StringBuilder sb = new StringBuilder(size);
        Random random = new Random(size);
        while (sb.length() < size) {
            sb.append("{\"id\":").append(random.nextInt(100_000)).append(",\"name\":\"duplex\",\"ok\":true},");
        }
        message = Message.text(sb.substring(0, size));
        DeflateNegotiation.Agreement agreement = switch (compression) {
            case "takeover" -> new DeflateNegotiation.Agreement(false, false, 15, 15);
            case "no-takeover" -> new DeflateNegotiation.Agreement(true, true, 15, 15);
            default -> null;
        };
        Limits limits = Limits.DEFAULT;
        sender = new Rfc6455Protocol(Role.SERVER, limits, new Random(1), agreement == null ? null
                : new PerMessageDeflate(Role.SERVER, agreement, 0, -1, new OneOfEach()));
        receiver = new Rfc6455Protocol(Role.CLIENT, limits, new Random(2), agreement == null ? null
                : new PerMessageDeflate(Role.CLIENT, agreement, 0, -1, new OneOfEach()));
    }

    /** Compress (or not), frame, parse, inflate (or not), validate UTF-8: one message end to end. */
    @Benchmark
    public void sendAndReceive(Blackhole bh) {
        sender.send(message);
        List<ByteBuffer> wire = new ArrayList<>(2);
        for (ByteBuffer b; (b = sender.nextOutput()) != null; ) {
            wire.add(b);
        }
        for (ByteBuffer b : wire) {
            receiver.receive(b);
        }
        for (Event e; (e = receiver.nextEvent()) != null; ) {
            bh.consume(e);
        }
    }

    /** A pool of one stream of each kind, reset between messages, as the I/O layer's pool behaves when warm. */
    static final class OneOfEach implements Zlib {
        private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        private final Inflater inflater = new Inflater(true);

        @Override
        public Deflater deflater() {
            return deflater;
        }

        @Override
        public Inflater inflater() {
            return inflater;
        }

        @Override
        public void recycle(Deflater d) {
            d.reset();
        }

        @Override
        public void recycle(Inflater i) {
            i.reset();
        }
    }
}
