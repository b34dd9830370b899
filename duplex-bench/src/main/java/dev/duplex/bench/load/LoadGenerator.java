package dev.duplex.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The load generator: one thread, one {@link Selector}, non-blocking sockets, and its own minimal client (opening
 * handshake, masked frames, every echo checked byte for byte, closing handshake). It is deliberately not Duplex's
 * client, so that the server benchmark does not measure Duplex against itself.
 *
 * <p>{@code java -cp benchmarks.jar dev.duplex.bench.load.LoadGenerator --port P --scenario echo-1 [--quick]
 * [--connections N] [--warmup-ms 2000] [--duration-ms 5000] [--runs 3] [--server-pid PID]} prints one
 * {@code run <i> <value>} line per timed run, then {@code checked <echoes> <handshakes> <lingering> <unanswered>}
 * (closing handshakes the client had to end: see {@link Connection#expire}), and exits 0;
 * on any failure it prints {@code error <reason>} and exits 1. Every loop is bounded by time.
 */
public final class LoadGenerator implements Connection.Events {

    /** At most this many connections in their opening handshake at once, so listen backlogs do not overflow. */
    private static final int OPENING_AT_ONCE = 64;
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** What one generator run does. */
    public record Options(int port, Scenario scenario, int connections, long warmupMillis, long durationMillis,
                          int runs, long serverPid) {

        static Options parse(String[] args) {
            int port = -1;
            Scenario scenario = null;
            boolean quick = false;
            Integer connections = null;
            long warmup = 2000, duration = 5000, pid = -1;
            int runs = 3;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--port" -> port = Integer.parseInt(args[++i]);
                    case "--scenario" -> scenario = Scenario.of(args[++i]);
                    case "--quick" -> quick = true;
                    case "--connections" -> connections = Integer.parseInt(args[++i]);
                    case "--warmup-ms" -> warmup = Long.parseLong(args[++i]);
                    case "--duration-ms" -> duration = Long.parseLong(args[++i]);
                    case "--runs" -> runs = Integer.parseInt(args[++i]);
                    case "--server-pid" -> pid = Long.parseLong(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (port <= 0 || scenario == null) {
                throw new IllegalArgumentException("--port and --scenario are required");
            }
            if (scenario.kind() == Scenario.Kind.IDLE && pid <= 0) {
                throw new IllegalArgumentException(scenario.id() + " needs --server-pid");
            }
            return new Options(port, scenario, connections != null ? connections : scenario.connections(quick),
                    warmup, duration, runs, pid);
        }
    }

    private final Options options;
    private final PrintStream out;
    private final InetSocketAddress address;
    private final Payload payload;
    private final Selector selector;
    private final SplittableRandom random = new SplittableRandom();
    private final Set<Connection> live = new HashSet<>();
    private int toOpen;
    private int opening;
    private int opened;
    private int nextId;
    private boolean sending;
    private long sent;
    private long echoes;
    private long handshakes;
    private long lingering;
    private long unanswered;
    private long lastLingerCheck;

    private LoadGenerator(Options options, PrintStream out) throws IOException {
        this.options = options;
        this.out = out;
        this.address = new InetSocketAddress("127.0.0.1", options.port());
        Scenario s = options.scenario();
        this.payload = new Payload(s.size(), s.isBinary());
        this.selector = Selector.open();
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(Options.parse(args), System.out);
        } catch (IllegalArgumentException e) {
            System.out.println("error " + e.getMessage());
            status = 2;
        }
        System.out.flush();
        System.exit(status);
    }

    /** Runs one scenario, printing its lines to {@code out}; returns the exit status. */
    public static int run(Options options, PrintStream out) {
        LoadGenerator generator = null;
        try {
            generator = new LoadGenerator(options, out);
            switch (options.scenario().kind()) {
                case ECHO -> generator.echo();
                case HANDSHAKES -> generator.handshakes();
                case IDLE -> generator.idle();
            }
            out.println("checked " + generator.echoes + " " + generator.handshakes + " " + generator.lingering + " "
                    + generator.unanswered);
            return 0;
        } catch (Failure | IOException e) {
            out.println("error " + e.getMessage().replace('\n', ' '));
            return 1;
        } finally {
            if (generator != null) {
                generator.abortAll();
            }
        }
    }

    // ---- scenarios

    private void echo() throws IOException {
        int n = options.connections();
        open(n);
        await(() -> opened == n, SETTLE_NANOS, "opening " + n + " connections");
        sending = true;
        for (Connection c : live) {
            for (int i = 0; i < options.scenario().inFlight(); i++) {
                send(c);
            }
            c.flush();
        }
        timedRuns(() -> echoes);
        drainAndClose();
    }

    private void handshakes() throws IOException {
        sending = true;
        open(options.connections());
        timedRuns(() -> handshakes);
        sending = false;
        await(() -> live.isEmpty() && opening == 0 && toOpen == 0, SETTLE_NANOS, "the last closing handshakes");
    }

    private void idle() throws IOException {
        // Warm the server up (classes loaded, code compiled, pools made) and measure the baseline after that.
        int warm = Math.min(200, options.connections());
        open(warm);
        await(() -> opened == warm && echoes == warm, SETTLE_NANOS, "warming up with " + warm + " connections");
        drainAndClose();
        for (int run = 1; run <= options.runs(); run++) {
            long before = settledRss();
            int n = options.connections();
            long echoed = echoes;
            open(n);
            await(() -> live.size() == n && echoes - echoed == n, TimeUnit.SECONDS.toNanos(180),
                    "opening " + n + " connections");
            long after = settledRss();
            out.printf("run %d %.2f%n", run, (after - before) / (double) n);
            out.flush();
            drainAndClose();
        }
    }

    /**
     * Warm-up, then the timed runs back to back. A run lasts its duration and until at least one message or
     * handshake was counted (a cold server in a quick run may take longer than a run for its first), and never
     * longer than {@link #longestRun()}.
     */
    private void timedRuns(LongSupplier counter) throws IOException {
        loopFor(options.warmupMillis());
        for (int run = 1; run <= options.runs(); run++) {
            long c0 = counter.getAsLong();
            long t0 = System.nanoTime();
            loopFor(options.durationMillis());
            long longest = t0 + longestRun();
            while (counter.getAsLong() == c0 && System.nanoTime() - longest < 0) {
                poll();
            }
            long c1 = counter.getAsLong();
            long t1 = System.nanoTime();
            out.printf("run %d %.1f%n", run, (c1 - c0) * 1e9 / (t1 - t0));
            out.flush();
        }
    }

    private long longestRun() {
        return TimeUnit.MILLISECONDS.toNanos(Math.max(10_000, 4 * options.durationMillis()));
    }

    private void drainAndClose() throws IOException {
        sending = false;
        await(() -> sent == echoes, SETTLE_NANOS, "the last echoes");
        for (Connection c : live) {
            c.sendClose();
            c.flush();
        }
        await(live::isEmpty, SETTLE_NANOS, "the closing handshakes");
    }

    // ---- events

    @Override
    public void opened(Connection c) {
        opening--;
        opened++;
        openMore();
        switch (options.scenario().kind()) {
            case ECHO -> { } // the echo starts once every connection is open
            case HANDSHAKES -> c.sendClose();
            case IDLE -> send(c);
        }
    }

    @Override
    public void echoed(Connection c) {
        echoes++;
        if (sending) {
            send(c);
        }
    }

    @Override
    public void closed(Connection c, Connection.Ending ending) {
        live.remove(c);
        switch (ending) {
            case CLEAN -> { }
            case LINGERED -> lingering++;
            case UNANSWERED -> unanswered++;
        }
        if (options.scenario().kind() == Scenario.Kind.HANDSHAKES) {
            if (ending != Connection.Ending.UNANSWERED) {
                handshakes++;
            }
            if (sending) {
                toOpen++;
                openMore();
            }
        }
    }

    private void send(Connection c) {
        c.send();
        sent++;
    }

    // ---- the loop

    private void open(int n) {
        opened = 0;
        toOpen += n;
        openMore();
    }

    private void openMore() {
        while (toOpen > 0 && opening < OPENING_AT_ONCE) {
            toOpen--;
            opening++;
            try {
                live.add(Connection.open(selector, address, nextId++, payload, options.scenario().inFlight(), this,
                        random));
            } catch (IOException e) {
                throw new Failure("connecting to " + address + ": " + e, e);
            }
        }
    }

    private void loopFor(long millis) throws IOException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (end - System.nanoTime() > 0) {
            poll();
        }
    }

    private void await(BooleanSupplier condition, long timeoutNanos, String what) throws IOException {
        long end = System.nanoTime() + timeoutNanos;
        while (!condition.getAsBoolean()) {
            if (end - System.nanoTime() <= 0) {
                Map<Connection.State, Long> states = live.stream()
                        .collect(Collectors.groupingBy(Connection::state, TreeMap::new, Collectors.counting()));
                throw new Failure("timed out waiting for " + what + " (connections by state: " + states + ", "
                        + (sent - echoes) + " echoes outstanding)");
            }
            poll();
        }
    }

    private void poll() throws IOException {
        selector.select(key -> ((Connection) key.attachment()).ready(), 5);
        long now = System.nanoTime();
        if (now - lastLingerCheck > 100_000_000L) {
            lastLingerCheck = now;
            for (Connection c : new ArrayList<>(live)) {
                c.expire(now);
            }
        }
    }

    private void abortAll() {
        for (Connection c : live) {
            c.abort();
        }
        live.clear();
        try {
            selector.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }

    // ---- the server's memory

    /** The server's resident set after a full GC and a second's rest, in KiB. */
    private long settledRss() throws IOException {
        fullGc(options.serverPid());
        loopFor(1000);
        return rss(options.serverPid());
    }

    /** {@code VmRSS} of a process, in KiB, from {@code /proc/<pid>/status}. */
    static long rss(long pid) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
        for (String line : lines) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** Asks a JVM for a full GC with {@code jcmd}, so that the RSS holds what is live rather than garbage. */
    static void fullGc(long pid) throws IOException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return;
        }
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
