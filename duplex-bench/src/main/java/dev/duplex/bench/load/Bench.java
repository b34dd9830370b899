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
import java.util.Locale;
import java.util.Optional;

/**
 * The server load benchmark's driver. For each server and scenario it starts the echo server in its own JVM pinned
 * to CPU 0, runs the {@link LoadGenerator} in another JVM pinned to CPU 1, collects the runs and stops both; then
 * it prints one table, scenarios by servers, each cell the median and its ratio to the best peer.
 *
 * <pre>
 * java -cp benchmarks.jar dev.duplex.bench.load.Bench [--quick] [--servers duplex,netty,...]
 *     [--scenarios echo-1,echo-16,big,many,handshakes,idle-memory] [--runs 3] [--warmup-ms 2000]
 *     [--duration-ms 5000] [--idle-connections 10000] [--no-pin] [--logs DIR]
 * </pre>
 *
 * Each throughput scenario gets a fresh server and runs warm-up then {@code runs} timed runs back to back; the
 * idle-memory scenario gets a fresh server for each run, since a server's memory does not go back to where it was.
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
                    warmup != null ? warmup : quick ? 300 : 2000, duration != null ? duration : quick ? 300 : 5000,
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
        boolean failed = table.rows().stream().flatMap(r -> r.cells().values().stream()).anyMatch(c -> !c.isMeasured());
        System.exit(failed ? 1 : 0);
    }

    /** Runs everything, printing progress and then the table to {@code out}; returns the table. */
    public static Table run(Options options, PrintStream out) throws IOException, InterruptedException {
        boolean pin = options.pin() && ChildJvm.canPin();
        out.println("# Duplex load benchmark: servers");
        out.println();
        out.println(Machine.describe(pin));
        out.printf(Locale.ROOT, "Each cell: %s, the median of %d run%s of %d ms after %d ms of warm-up.%n",
                options.quick() ? "quick mode (small counts)" : "full size", options.runs(),
                options.runs() == 1 ? "" : "s", options.durationMillis(), options.warmupMillis());
        out.println("Logs: " + options.logs());
        out.println();
        List<String> columns = options.servers().stream().map(EchoServer::title).toList();
        Table table = new Table(EchoServer.DUPLEX.title(), columns);
        Instant start = Instant.now();
        for (Scenario scenario : options.scenarios()) {
            int connections = scenario.kind() == Scenario.Kind.IDLE && options.idleConnections() != null
                    ? options.idleConnections() : scenario.connections(options.quick());
            Table.Row row = table.row(scenario.id(), scenario.unit(), scenario.higherIsBetter());
            for (EchoServer server : options.servers()) {
                Table.Cell cell = measure(options, pin, server, scenario, connections);
                row.cells().put(server.title(), cell);
                out.printf(Locale.ROOT, "  %-12s %-20s %s%n", scenario.id(), server.title(), describe(cell, scenario));
                out.flush();
            }
        }
        out.println();
        out.println(Machine.load() + "; took " + Duration.between(start, Instant.now()).truncatedTo(ChronoUnit.SECONDS)
                .toString().substring(2).toLowerCase(Locale.ROOT) + ".");
        out.println();
        out.println("Scenarios: " + String.join("; ", options.scenarios().stream()
                .map(s -> s.id() + " = " + s.description()).toList()) + (options.quick() ? " (fewer in quick mode)" : "")
                + ".");
        out.println();
        table.print(out);
        out.flush();
        return table;
    }

    private static String describe(Table.Cell cell, Scenario scenario) {
        if (!cell.isMeasured()) {
            return "FAILED: " + cell.failure();
        }
        return Table.number(cell.stats().median()) + " " + scenario.unit() + "  runs "
                + String.join(" ", cell.stats().runs().stream().map(Table::number).toList())
                + "  (" + cell.checked() + (scenario.kind() == Scenario.Kind.HANDSHAKES ? " handshakes" : " echoes")
                + " checked" + (cell.note().isEmpty() ? "" : "; " + cell.note()) + ")";
    }

    private static Table.Cell measure(Options options, boolean pin, EchoServer server, Scenario scenario,
                                      int connections) throws IOException, InterruptedException {
        boolean idle = scenario.kind() == Scenario.Kind.IDLE;
        int processes = idle ? options.runs() : 1;
        List<Double> runs = new ArrayList<>();
        long checked = 0;
        long lingering = 0;
        for (int p = 0; p < processes; p++) {
            String name = server.id() + "-" + scenario.id() + (processes > 1 ? "-" + (p + 1) : "");
            try (ChildJvm serverJvm = ChildJvm.start(pin ? 0 : -1, serverJvmOptions(), server.mainClass(),
                    List.of("--port", "0"), options.logs().resolve(name + "-server.log"))) {
                Optional<String> ready = serverJvm.awaitLine(l -> l.startsWith("listening "), Duration.ofSeconds(60));
                if (ready.isEmpty()) {
                    return Table.Cell.failed("the server did not start: " + serverJvm.logTail());
                }
                int port = Integer.parseInt(ready.get().substring("listening ".length()).trim());
                List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port),
                        "--scenario", scenario.id(), "--connections", Integer.toString(connections),
                        "--warmup-ms", Long.toString(options.warmupMillis()),
                        "--duration-ms", Long.toString(options.durationMillis()),
                        "--runs", Integer.toString(idle ? 1 : options.runs()),
                        "--server-pid", Long.toString(serverJvm.pid())));
                try (ChildJvm generator = ChildJvm.start(pin ? 1 : -1, GENERATOR_JVM_OPTIONS,
                        LoadGenerator.class.getName(), args, options.logs().resolve(name + "-load.log"))) {
                    Duration limit = Duration.ofMillis(options.warmupMillis()
                            + options.runs() * options.durationMillis()).plusMinutes(5);
                    List<String> lines = generator.awaitExit(limit);
                    Optional<String> error = lines.stream().filter(l -> l.startsWith("error ")).findFirst();
                    if (error.isPresent() || generator.exitCode() != 0) {
                        return Table.Cell.failed(error.map(e -> e.substring(6))
                                .orElse("the load generator exited with " + generator.exitCode() + ": "
                                        + generator.logTail()));
                    }
                    for (String line : lines) {
                        String[] f = line.split(" ");
                        switch (f[0]) {
                            case "run" -> runs.add(Double.parseDouble(f[2]));
                            case "checked" -> {
                                checked += Long.parseLong(f[1]) + Long.parseLong(f[2]);
                                lingering += Long.parseLong(f[3]);
                            }
                            default -> { }
                        }
                    }
                }
            }
        }
        if (runs.isEmpty()) {
            return Table.Cell.failed("no runs were reported");
        }
        return new Table.Cell(new Stats(runs), checked, null, lingering == 0 ? ""
                : lingering + " closing handshakes where the server kept TCP open for 1 s");
    }
}
