package dev.duplex.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JMH benchmarks' bodies run once each outside JMH, so that a benchmark that throws, or measures nothing (a
 * parse that sees no frame, a protocol that delivers no message), fails the build. Speed is not asserted here.
 */
class MicroBenchmarksTest {

    private static final Blackhole BLACKHOLE = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void protocolBenchmarksDoWhatTheyMeasure() throws Exception {
        ProtocolBenchmark b = new ProtocolBenchmark();
        b.setUp();
        b.mask64k();
        assertThat(b.validateUtf8()).isTrue();
        // 1,000 text frames (opcode 1) whose 32nd payload byte is 'f': unmasking happened.
        assertThat(b.parse1000SmallFrames()).isEqualTo(1000L * (1 + 'f'));
        assertThat(b.write1000SmallFrameHeaders()).isEqualTo(2000);
        b.send100SmallMessages(BLACKHOLE);
        byte[] response = b.serverHandshake();
        assertThat(new String(response, StandardCharsets.US_ASCII))
                .startsWith("HTTP/1.1 101")
                .contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void receivingDeliversEveryMessage() {
        ProtocolBenchmark b = new ProtocolBenchmark();
        b.setUp();
        assertThat(b.receive1000SmallMessages(BLACKHOLE)).isEqualTo(1000);
        assertThat(b.receive1000SmallMessages(BLACKHOLE)).isEqualTo(1000);
    }

    @Test
    void deflateBenchmarkRoundTripsInEveryConfiguration() {
        for (String compression : List.of("none", "no-takeover", "takeover")) {
            DeflateBenchmark b = new DeflateBenchmark();
            b.size = 1024;
            b.compression = compression;
            b.setUp();
            b.sendAndReceive(BLACKHOLE);
            b.sendAndReceive(BLACKHOLE);
        }
    }
}
