package dev.duplex.bench;

import dev.duplex.Compression;
import dev.duplex.Limits;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocketServer;

import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The soak run: minutes of churn against an in-process server with Duplex's own clients - connections opening,
 * exchanging messages of random sizes, types and compressibility, and closing in every way, some peers
 * misbehaving ({@link Churn.Scenario}) - while resident memory, the heap, threads and file descriptors are sampled.
 * At the end it prints the samples as a table, the counts of messages sent, received and lost, and its verdicts.
 *
 * <pre>
 * java -cp duplex-bench/target/benchmarks.jar dev.duplex.bench.Soak --minutes 10
 *     [--seconds N] [--sample-seconds N] [--concurrency N] [--seed N]
 * </pre>
 *
 * It exits with 1 when a message was lost on a connection that closed cleanly, an echo came back different, a
 * connection did not end the way its scenario says, or threads or file descriptors did not come back to where they
 * were before the churn; with 0 otherwise. Linux only: it reads {@code /proc/self}.
 *
 * <p>Resident memory follows the heap G1 commits, which grows for minutes under this churn. To see what is outside
 * the heap, give it a fixed heap touched up front, as the library's tests run: {@code java -Xms2g -Xmx2g
 * -XX:+AlwaysPreTouch -cp ...}; the table's off-heap column is resident memory less the committed heap either way.
 */
public final class Soak {

    /** The server's short timeouts, so that the misbehaving peers' connections end in seconds. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(2);

    /**
     * @param duration    how long the churn runs
     * @param sampleEvery how often resources are sampled
     * @param concurrency connections under way at once
     */
    public record Options(Duration duration, Duration sampleEvery, int concurrency, long seed) {
    }

    /** What the run found; {@link #ok()} is its verdict. */
    public record Report(long connections, long sent, long received, long lost, long corrupt, long cleanlyClosed,
                         long unexpected, List<String> unexpectedKinds, List<Resources.Sample> samples,
                         Resources.Sample before, Resources.Sample after, double rssGrowthMiB) {

        /** Threads, platform and virtual, are as many as before the churn. */
        public boolean threadsBack() {
            return after.virtualThreads() <= before.virtualThreads()
                    && after.platformThreads() <= before.platformThreads();
        }

        public boolean fdsBack() {
            return after.fds() <= before.fds();
        }

        public boolean ok() {
            return lost == 0 && corrupt == 0 && unexpected == 0 && threadsBack() && fdsBack();
        }
    }

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        Duration duration = Duration.ofMinutes(10);
        Duration sampleEvery = null;
        int concurrency = 32;
        long seed = System.nanoTime();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--minutes" -> duration = Duration.ofMinutes(Long.parseLong(value));
                case "--seconds" -> duration = Duration.ofSeconds(Long.parseLong(value));
                case "--sample-seconds" -> sampleEvery = Duration.ofSeconds(Long.parseLong(value));
                case "--concurrency" -> concurrency = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                default -> {
                    System.err.println("usage: Soak [--minutes N | --seconds N] [--sample-seconds N] "
                            + "[--concurrency N] [--seed N]");
                    System.exit(2);
                }
            }
            i++;
        }
        if (sampleEvery == null) {
            sampleEvery = Duration.ofSeconds(Math.max(5, Math.min(30, duration.toSeconds() / 20)));
        }
        Report report = run(new Options(duration, sampleEvery, concurrency, seed), System.out);
        System.exit(report.ok() ? 0 : 1);
    }

    public static Report run(Options options, PrintStream out) throws Exception {
        // About one connection in twenty-five has a handler that throws on purpose; each would log a warning.
        Logger libraryLog = Logger.getLogger("dev.duplex");
        Level level = libraryLog.getLevel();
        libraryLog.setLevel(Level.SEVERE);
        try {
            return churn(options, out);
        } finally {
            libraryLog.setLevel(level);
        }
    }

    private static Report churn(Options options, PrintStream out) throws Exception {
        ServerOptions serverOptions = ServerOptions.DEFAULT.withListenAddress(InetAddress.getLoopbackAddress())
                .withBacklog(1024).withIdleTimeout(IDLE_TIMEOUT).withCompression(Compression.DEFAULT)
                .withLimits(Limits.DEFAULT.withCloseTimeout(CLOSE_TIMEOUT).withHandshakeTimeout(HANDSHAKE_TIMEOUT)
                        .withSendTimeout(SEND_TIMEOUT));
        Churn.Tally tally = new Churn.Tally();
        Churn churn = new Churn(CLOSE_TIMEOUT, HANDSHAKE_TIMEOUT, tally);
        SplittableRandom random = new SplittableRandom(options.seed());
        List<Resources.Sample> samples = Collections.synchronizedList(new ArrayList<>());
        Resources.Sample before;
        Resources.Sample after;
        long start;
        try (Resources.ThreadCount threads = new Resources.ThreadCount();
             WebSocketServer server = WebSocketServer.start(serverOptions, churn.handler())) {
            churn.target(server.port());
            out.printf(Locale.ROOT, "soak: %s of churn, %d connections at once, seed %d, samples every %s%n",
                    options.duration(), options.concurrency(), options.seed(), options.sampleEvery());
            // Every scenario once first: classes loaded, files opened, the watchdog started before the baseline.
            for (Churn.Scenario scenario : Churn.Scenario.values()) {
                churn.run(scenario, random.split());
            }
            awaitNoConnections(server);
            awaitSteady(threads);
            System.gc();
            before = Resources.sample(Duration.ofSeconds(-1), threads, server.connectionCount(),
                    tally.connections.get(), tally.sent.get(), tally.received.get());

            out.print(Resources.table(List.of()));
            start = System.nanoTime();
            long end = start + options.duration().toNanos();
            List<Thread> workers = new ArrayList<>();
            for (int i = 0; i < options.concurrency(); i++) {
                SplittableRandom own = random.split();
                workers.add(Thread.ofVirtual().name("soak-worker-" + i).start(() -> {
                    while (System.nanoTime() - end < 0) {
                        churn.run(Churn.Scenario.pick(own), own);
                    }
                }));
            }
            CountDownLatch churning = new CountDownLatch(1);
            Thread sampler = Thread.ofPlatform().name("soak-sampler").start(() -> {
                try {
                    // The latch's timed wait is the sampling clock: it returns early only when the churn is over.
                    while (!churning.await(options.sampleEvery().toNanos(), TimeUnit.NANOSECONDS)) {
                        Resources.Sample s = Resources.sample(Duration.ofNanos(System.nanoTime() - start),
                                threads, server.connectionCount(), tally.connections.get(), tally.sent.get(),
                                tally.received.get());
                        samples.add(s);
                        out.print(Resources.table(List.of(s)).lines().skip(1).findFirst().orElse("") + "\n");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Duration grace = options.duration().plusMinutes(2);
            for (Thread worker : workers) {
                if (!worker.join(grace)) {
                    throw new IllegalStateException(worker.getName() + " did not finish within " + grace);
                }
            }
            churning.countDown();
            sampler.join();
            samples.add(Resources.sample(Duration.ofNanos(System.nanoTime() - start), threads,
                    server.connectionCount(), tally.connections.get(), tally.sent.get(), tally.received.get()));

            awaitNoConnections(server);
            // Threads and descriptors come back once every connection has ended; bounded, sampled twice a second.
            Resources.Sample last = before;
            for (int i = 0; i < 120; i++) {
                System.gc();
                last = Resources.sample(Duration.ofNanos(System.nanoTime() - start), threads,
                        server.connectionCount(), tally.connections.get(), tally.sent.get(), tally.received.get());
                if (last.virtualThreads() <= before.virtualThreads()
                        && last.platformThreads() <= before.platformThreads() && last.fds() <= before.fds()) {
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
            after = last;
        }
        Report report = new Report(tally.connections.get(), tally.sent.get(), tally.received.get(), tally.lost.get(),
                tally.corrupt.get(), tally.cleanlyClosed.get(), tally.unexpected.get(), tally.unexpectedKinds(),
                List.copyOf(samples), before, after, rssGrowthAfterWarmUp(options, samples));
        print(report, tally, options, out);
        return report;
    }

    /** Waits, bounded, for the server's connections to end: the churn's last ones may be in their timeouts. */
    private static void awaitNoConnections(WebSocketServer server) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; i < 6000 && server.connectionCount() > 0 && System.nanoTime() - deadline < 0; i++) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Waits, bounded, until the thread count has not moved for two seconds: its events stream in late. */
    private static void awaitSteady(Resources.ThreadCount threads) {
        int last = threads.live();
        long since = System.nanoTime();
        for (int i = 0; i < 300 && System.nanoTime() - since < TimeUnit.SECONDS.toNanos(2); i++) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            if (threads.live() != last) {
                last = threads.live();
                since = System.nanoTime();
            }
        }
    }

    /** The warm-up: the first fifth of the run, at most a minute. */
    private static Duration warmUp(Options options) {
        Duration fifth = options.duration().dividedBy(5);
        return fifth.compareTo(Duration.ofMinutes(1)) < 0 ? fifth : Duration.ofMinutes(1);
    }

    /** The samples from the end of the warm-up on. */
    private static List<Resources.Sample> afterWarmUp(Options options, List<Resources.Sample> samples) {
        return samples.stream().filter(s -> s.at().compareTo(warmUp(options)) >= 0).toList();
    }

    /** Resident memory at the last sample less at the first sample after the warm-up, in MiB. */
    private static double rssGrowthAfterWarmUp(Options options, List<Resources.Sample> samples) {
        List<Resources.Sample> after = afterWarmUp(options, samples);
        return after.isEmpty() ? 0 : (after.getLast().rssKiB() - after.getFirst().rssKiB()) / 1024.0;
    }

    private static void print(Report r, Churn.Tally tally, Options options, PrintStream out) {
        out.println();
        out.print(Resources.table(r.before(), r.samples(), r.after()));
        out.println();
        out.printf(Locale.ROOT, "connections %d (well-behaved closed cleanly: %d)%n", r.connections(),
                r.cleanlyClosed());
        StringBuilder scenarios = new StringBuilder();
        tally.runs.forEach((s, n) -> scenarios.append(scenarios.isEmpty() ? "" : ", ").append(s).append(' ')
                .append(n.get()));
        out.println("  " + scenarios);
        out.printf(Locale.ROOT, "messages sent %d, received %d, lost on cleanly closed connections %d, corrupt %d%n",
                r.sent(), r.received(), r.lost(), r.corrupt());
        out.printf(Locale.ROOT, "connections that did not end as their scenario says: %d%n", r.unexpected());
        r.unexpectedKinds().forEach(e -> out.println("  " + e));
        List<Resources.Sample> settled = afterWarmUp(options, r.samples());
        if (!settled.isEmpty()) {
            Resources.Sample first = settled.getFirst();
            Resources.Sample last = settled.getLast();
            out.printf(Locale.ROOT, "after the %s warm-up, first sample to last: resident %+.1f MiB (peak %.1f MiB),"
                            + " committed heap %+.1f MiB, off-heap %+.1f MiB (range %.1f-%.1f MiB)%n",
                    warmUp(options), r.rssGrowthMiB(),
                    settled.stream().mapToLong(Resources.Sample::rssKiB).max().orElse(0) / 1024.0,
                    (last.heapCommittedKiB() - first.heapCommittedKiB()) / 1024.0,
                    (last.offHeapKiB() - first.offHeapKiB()) / 1024.0,
                    settled.stream().mapToLong(Resources.Sample::offHeapKiB).min().orElse(0) / 1024.0,
                    settled.stream().mapToLong(Resources.Sample::offHeapKiB).max().orElse(0) / 1024.0);
        }
        out.printf(Locale.ROOT, "threads %d + %d virtual before, %d + %d after: %s; file descriptors %d before, "
                        + "%d after: %s%n", r.before().platformThreads(), r.before().virtualThreads(),
                r.after().platformThreads(), r.after().virtualThreads(), r.threadsBack() ? "back" : "NOT BACK",
                r.before().fds(), r.after().fds(), r.fdsBack() ? "back" : "NOT BACK");
        out.println(r.ok() ? "soak: OK" : "soak: FAILED");
    }
}
