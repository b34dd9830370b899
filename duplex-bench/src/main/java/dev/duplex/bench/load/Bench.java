package dev.duplex.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The server load benchmark's driver. For each round, scenario and server it starts the echo server in its own JVM
 * pinned to CPU 0, runs the {@link LoadGenerator} in another JVM pinned to CPU 1 (warm-up, then one timed run), and
 * stops both; then it prints one table, scenarios by servers, each cell the median of the rounds and its ratio to
 * the best peer.
 *
 * <pre>
 * java -cp benchmarks.jar dev.duplex.bench.load.Bench [--quick] [--servers duplex,netty,...]
 *     [--scenarios echo-1,echo-16,big,many,handshakes,idle-memory] [--runs 3] [--warmup-ms 3000]
 *     [--duration-ms 5000] [--idle-connections 10000] [--no-pin] [--logs DIR]
 * </pre>
 *
 * {@code --runs} is the number of rounds. A fresh server per run keeps the runs independent (a server's memory does
 * not go back to where it was), and interleaving the servers spreads a noisy neighbour's bursts over all of them.
 */
public final class Bench {

    /** What to run. */
    public record Options(List<EchoServer> servers, List<Scenario> scenarios, int runs, long warmupMillis,
                          long durationMillis, Integer idleConnections, boolean quick, boolean pin, Path logs) {

        public static Options parse(String[] args) throws IOException {
            List<EchoServer> servers = List.of(EchoServer.values());
            List<Scenario> scenarios = List.of(Scenario.values());
            boolean quick = false, pin = true;
            Integer runs = null, idle = null;
            Long warmup = null, duration = null;
            Path logs = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--servers" -> servers = EchoServer.parse(args[++i]);
                    case "--scenarios" -> scenarios = Scenario.parse(args[++i]);
                    case "--runs" -> runs = Integer.parseInt(args[++i]);
                    case "--warmup-ms" -> warmup = Long.parseLong(args[++i]);
                    case "--duration-ms" -> duration = Long.parseLong(args[++i]);
                    case "--idle-connections" -> idle = Integer.parseInt(args[++i]);
                    case "--quick" -> quick = true;
                    case "--no-pin" -> pin = false;
                    case "--logs" -> logs = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Options(servers, scenarios, runs != null ? runs : quick ? 1 : 3,
                    warmup != null ? warmup : quick ? 300 : 3000, duration != null ? duration : quick ? 300 : 5000,
                    idle, quick, pin, logs != null ? logs : Files.createTempDirectory("duplex-bench-"));
        }
    }

    /** Every server starts the same way, with the same JVM options. */
    static List<String> serverJvmOptions() {
        List<String> options = new ArrayList<>(List.of("-Xms64m", "-Xmx2g"));
        if (Runtime.version().feature() >= 23) {
            // Lets Netty and the others use sun.misc.Unsafe as they do on Java 21, rather than their slower paths.
            options.add("--sun-misc-unsafe-memory-access=allow");
        }
        options.add("--enable-native-access=ALL-UNNAMED");
        return options;
    }

    static final List<String> GENERATOR_JVM_OPTIONS = List.of("-Xmx2g");

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Table table = run(options, System.out);
        System.exit(table.allMeasured() ? 0 : 1);
    }

    /** Runs everything, printing progress and then the table to {@code out}; returns the table. */
    public static Table run(Options options, PrintStream out) throws IOException, InterruptedException {
        boolean pin = options.pin() && ChildJvm.canPin();
        out.println("# Duplex load benchmark: servers");
        out.println();
        out.println(Machine.describe(pin));
        out.printf(Locale.ROOT, "Each cell: %s, the median of %d round%s; in each round every server in turn gets a"
                        + " fresh JVM, %d ms of warm-up and one run of %d ms.%n",
                options.quick() ? "quick mode (small counts)" : "full size", options.runs(),
                options.runs() == 1 ? "" : "s", options.warmupMillis(), options.durationMillis());
        out.println("Logs: " + options.logs());
        out.println();
        Map<Scenario, Map<EchoServer, Runs>> results = new LinkedHashMap<>();
        Instant start = Instant.now();
        // Rounds outside, servers inside: a noisy minute on a shared machine hurts every server a little rather than
        // one server a lot.
        for (int round = 1; round <= options.runs(); round++) {
            for (Scenario scenario : options.scenarios()) {
                for (EchoServer server : options.servers()) {
                    Runs runs = results.computeIfAbsent(scenario, s -> new LinkedHashMap<>())
                            .computeIfAbsent(server, s -> new Runs());
                    if (runs.failed()) {
                        continue;
                    }
                    measureOnce(options, pin, server, scenario, round, runs);
                    out.printf(Locale.ROOT, "  round %d  %-12s %-20s %s%n", round, scenario.id(), server.title(),
                            runs.failed() ? "FAILED: " + runs.cell().failure()
                                    : String.join(" ", runs.values().stream().map(Table::number).toList()) + " "
                                    + scenario.unit());
                    out.flush();
                }
            }
        }
        Table table = new Table(EchoServer.DUPLEX.title(), options.servers().stream().map(EchoServer::title).toList());
        results.forEach((scenario, byServer) -> {
            Table.Row row = table.row(scenario.id(), scenario.unit(), scenario.higherIsBetter());
            byServer.forEach((server, runs) -> row.cells().put(server.title(), runs.cell()));
        });
        out.println();
        for (Table.Row row : table.rows()) {
            row.cells().forEach((server, cell) -> {
                if (cell.isMeasured()) {
                    out.printf(Locale.ROOT, "  %-12s %-20s %,d %s checked%s%n", row.label(), server, cell.checked(),
                            row.unit().equals("hs/s") ? "handshakes" : "echoes",
                            cell.note().isEmpty() ? "" : "; " + cell.note());
                }
            });
        }
        out.println();
        out.println(Machine.load() + " at the end; took " + Duration.between(start, Instant.now())
                .truncatedTo(ChronoUnit.SECONDS).toString().substring(2).toLowerCase(Locale.ROOT) + ".");
        out.println();
        out.println("Scenarios: " + String.join("; ", options.scenarios().stream()
                .map(s -> s.id() + " = " + s.description()).toList()) + (options.quick() ? " (fewer in quick mode)" : "")
                + ".");
        out.println();
        table.print(out);
        out.flush();
        return table;
    }

    /** One round of one cell: a fresh server, a fresh load generator, one run (warm-up first). */
    private static void measureOnce(Options options, boolean pin, EchoServer server, Scenario scenario, int round,
                                    Runs runs) throws IOException, InterruptedException {
        int connections = scenario.kind() == Scenario.Kind.IDLE && options.idleConnections() != null
                ? options.idleConnections() : scenario.connections(options.quick());
        String name = server.id() + "-" + scenario.id() + "-" + round;
        try (ChildJvm serverJvm = ChildJvm.start(pin ? 0 : -1, serverJvmOptions(), server.mainClass(),
                List.of("--port", "0"), options.logs().resolve(name + "-server.log"))) {
            Optional<String> ready = serverJvm.awaitLine(l -> l.startsWith("listening "), Duration.ofSeconds(60));
            if (ready.isEmpty()) {
                runs.fail("the server did not start: " + serverJvm.logTail());
                return;
            }
            int port = Integer.parseInt(ready.get().substring("listening ".length()).trim());
            List<String> args = List.of("--port", Integer.toString(port),
                    "--scenario", scenario.id(), "--connections", Integer.toString(connections),
                    "--warmup-ms", Long.toString(options.warmupMillis()),
                    "--duration-ms", Long.toString(options.durationMillis()),
                    "--runs", "1",
                    "--server-pid", Long.toString(serverJvm.pid()));
            try (ChildJvm generator = ChildJvm.start(pin ? 1 : -1, GENERATOR_JVM_OPTIONS,
                    LoadGenerator.class.getName(), args, options.logs().resolve(name + "-load.log"))) {
                List<String> lines = generator.awaitExit(Duration.ofMillis(options.warmupMillis()
                        + options.durationMillis()).plusMinutes(5));
                Optional<String> error = lines.stream().filter(l -> l.startsWith("error ")).findFirst();
                if (error.isPresent() || generator.exitCode() != 0) {
                    runs.fail(error.map(e -> e.substring(6)).orElse("the load generator exited with "
                            + generator.exitCode() + ": " + generator.logTail()));
                    return;
                }
                for (String line : lines) {
                    String[] f = line.split(" ");
                    switch (f[0]) {
                        case "run" -> runs.add(Double.parseDouble(f[2]));
                        case "checked" -> {
                            runs.checked(Long.parseLong(f[1]) + Long.parseLong(f[2]));
                            runs.lingering(Long.parseLong(f[3]));
                            runs.unanswered(Long.parseLong(f[4]));
                        }
                        default -> { }
                    }
                }
            }
            if (!serverJvm.isAlive()) {
                runs.fail("the server died: " + serverJvm.logTail());
            }
        }
    }
}
