package dev.duplex.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Thirty seconds of the soak run, so that the build proves the run works and its verdicts hold; the ten-minute run
 * is by hand: {@code java -cp duplex-bench/target/benchmarks.jar dev.duplex.bench.Soak --minutes 10}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SoakTest {

    @Test
    void thirtySecondsOfChurnLoseNoMessageAndLeaveThreadsAndFileDescriptorsAsTheyWere() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "the soak run reads /proc/self (Linux)");
        long seed = System.nanoTime();
        Soak.Report report = Soak.run(new Soak.Options(Duration.ofSeconds(30), Duration.ofSeconds(5), 16, seed),
                System.out);
        assertThat(report.connections()).as("connections in 30 s").isGreaterThan(300);
        assertThat(report.cleanlyClosed()).as("well-behaved connections closed cleanly").isGreaterThan(100);
        assertThat(report.received()).as("messages echoed").isGreaterThan(500);
        assertThat(report.lost()).as("messages lost on cleanly closed connections (seed %d)", seed).isZero();
        assertThat(report.corrupt()).as("echoes that came back different (seed %d)", seed).isZero();
        assertThat(report.unexpectedKinds()).as("connections that did not end as their scenario says (seed %d)", seed)
                .isEmpty();
        assertThat(report.after().virtualThreads()).as("virtual threads after the run")
                .isLessThanOrEqualTo(report.before().virtualThreads());
        assertThat(report.after().platformThreads()).as("platform threads after the run")
                .isLessThanOrEqualTo(report.before().platformThreads());
        assertThat(report.after().fds()).as("file descriptors after the run")
                .isLessThanOrEqualTo(report.before().fds());
        assertThat(report.ok()).isTrue();
    }
}
