package dev.duplex.bench.clients;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One client library driving load against an echo server: the child process of the client benchmark.
 *
 * <p>{@code java -cp benchmarks.jar dev.duplex.bench.clients.ClientLoad --client duplex|jdk|okhttp|jetty --port P
 * --scenario echo-1|echo-16|memory [--connections N] [--warmup-ms 2000] [--duration-ms 5000] [--runs 3]} prints
 * {@code run <i> <msg/s>} per timed run (for memory, {@code run 1 <heap KiB/conn> <RSS KiB/conn>}), then
 * {@code checked <echoes>}; on failure {@code error <reason>} and exit status 1. Every wait is bounded.
 */
public final class ClientLoad {

    private static final Duration SETTLE = Duration.ofSeconds(60);

    private ClientLoad() {
    }

    public static void main(String[] args) {
        String client = null, scenario = null;
        int port = -1, connections = 100, runs = 3;
        long warmup = 2000, duration = 5000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--client" -> client = args[++i];
                case "--scenario" -> scenario = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warmup-ms" -> warmup = Long.parseLong(args[++i]);
                case "--duration-ms" -> duration = Long.parseLong(args[++i]);
                default -> {
                    System.out.println("error unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        int status = 0;
        URI uri = URI.create("ws://127.0.0.1:" + port + "/");
        try (EchoClient c = EchoClient.of(client)) {
            long checked = switch (scenario) {
                case "echo-1" -> echo(c, uri, connections, 1, warmup, duration, runs);
                case "echo-16" -> echo(c, uri, connections, 16, warmup, duration, runs);
                case "memory" -> memory(c, uri, connections);
                default -> throw new IllegalArgumentException("no scenario " + scenario);
            };
            System.out.println("checked " + checked);
        } catch (Exception e) {
            System.out.println("error " + String.valueOf(e.getMessage()).replace('\n', ' ') + " (" + e.getClass().getName() + ")");
            status = 1;
        }
        System.out.flush();
        System.exit(status);
    }

    private static long echo(EchoClient client, URI uri, int connections, int inFlight, long warmup, long duration,
                             int runs) throws Exception {
        Tally tally = new Tally();
        List<EchoSession> sessions = open(client, uri, connections, 0, tally);
        for (EchoSession s : sessions) {
            for (int i = 0; i < inFlight; i++) {
                s.sendNext();
            }
        }
        sleep(warmup, tally);
        for (int run = 1; run <= runs; run++) {
            long c0 = tally.echoed();
            long t0 = System.nanoTime();
            sleep(duration, tally);
            // At least one echo per run (a cold quick run may need longer), within a bound.
            long longest = t0 + TimeUnit.MILLISECONDS.toNanos(Math.max(10_000, 4 * duration));
            while (tally.echoed() == c0 && System.nanoTime() - longest < 0) {
                sleep(1, tally);
            }
            long c1 = tally.echoed();
            long t1 = System.nanoTime();
            System.out.printf(Locale.ROOT, "run %d %.1f%n", run, (c1 - c0) * 1e9 / (t1 - t0));
            System.out.flush();
        }
        tally.stopSending();
        await(() -> tally.sent() == tally.echoed(), tally, "the last echoes");
        close(sessions, tally);
        return tally.echoed();
    }

    /** Heap and resident memory per open connection: after a warm-up, a GC before, and a GC after opening. */
    private static long memory(EchoClient client, URI uri, int connections) throws Exception {
        Tally tally = new Tally();
        tally.stopSending(); // each session sends one message, checks its echo, and stays open
        int warm = Math.min(50, connections);
        List<EchoSession> warmSessions = open(client, uri, warm, 0, tally);
        warmSessions.forEach(EchoSession::sendNext);
        await(() -> tally.echoed() == warm, tally, "the warm-up echoes");
        close(warmSessions, tally);
        long heap0 = settledHeap();
        long rss0 = rss();
        List<EchoSession> sessions = open(client, uri, connections, warm, tally);
        sessions.forEach(EchoSession::sendNext);
        await(() -> tally.echoed() == warm + connections, tally, "one echo on each connection");
        long heap1 = settledHeap();
        long rss1 = rss();
        System.out.printf(Locale.ROOT, "run 1 %.2f %.2f%n", (heap1 - heap0) / 1024.0 / connections,
                (rss1 - rss0) / (double) connections);
        close(sessions, tally);
        return tally.echoed();
    }

    private static List<EchoSession> open(EchoClient client, URI uri, int n, int firstId, Tally tally) throws Exception {
        List<EchoSession> sessions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            sessions.add(client.open(uri, firstId + i, tally));
        }
        return sessions;
    }

    private static void close(List<EchoSession> sessions, Tally tally) throws InterruptedException {
        sessions.forEach(EchoSession::startClose);
        long end = System.nanoTime() + SETTLE.toNanos();
        for (EchoSession s : sessions) {
            if (!s.awaitClosed(Duration.ofNanos(Math.max(1, end - System.nanoTime())))) {
                throw new IllegalStateException("timed out waiting for the closing handshakes");
            }
        }
        tally.check();
    }

    private static void sleep(long millis, Tally tally) throws InterruptedException {
        Thread.sleep(millis);
        tally.check();
    }

    private static void await(BooleanSupplier condition, Tally tally, String what) throws InterruptedException {
        long end = System.nanoTime() + SETTLE.toNanos();
        while (!condition.getAsBoolean()) {
            tally.check();
            if (System.nanoTime() - end > 0) {
                throw new IllegalStateException("timed out waiting for " + what + " (" + tally.sent() + " sent, "
                        + tally.echoed() + " echoed)");
            }
            Thread.sleep(5);
        }
        tally.check();
    }

    /** Heap in use after full GCs, in bytes. */
    private static long settledHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** This process's resident set, in KiB. */
    private static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }
}
