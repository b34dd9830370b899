package dev.duplex.bench.load;

import dev.duplex.bench.clients.ClientLoad;
import dev.duplex.bench.clients.EchoClient;
import dev.duplex.bench.servers.NettyEcho;

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
 * The client benchmark's driver: Duplex's client against the JDK's {@code java.net.http.WebSocket}, OkHttp and
 * Jetty's client, all driving load against the same server (Netty's echo server, pinned to CPU 0), each client in
 * its own JVM pinned to CPU 1. Rows: messages per second with 100 connections x 32 B, one and 16 in flight, and the
 * client's heap and resident memory per open connection.
 *
 * <pre>
 * java -cp benchmarks.jar dev.duplex.bench.load.ClientBench [--quick] [--clients duplex,jdk,okhttp,jetty]
 *     [--runs 3] [--warmup-ms 2000] [--duration-ms 5000] [--memory-connections 1000] [--no-pin] [--logs DIR]
 * </pre>
 */
public final class ClientBench {

    /** What to run. */
    public record Options(List<String> clients, int runs, long warmupMillis, long durationMillis, int echoConnections,
                          int memoryConnections, boolean quick, boolean pin, Path logs) {

        public static Options parse(String[] args) throws IOException {
            List<String> clients = EchoClient.IDS;
            boolean quick = false, pin = true;
            Integer runs = null, memory = null;
            Long warmup = null, duration = null;
            Path logs = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--clients" -> clients = List.of(args[++i].split(","));
                    case "--runs" -> runs = Integer.parseInt(args[++i]);
                    case "--warmup-ms" -> warmup = Long.parseLong(args[++i]);
                    case "--duration-ms" -> duration = Long.parseLong(args[++i]);
                    case "--memory-connections" -> memory = Integer.parseInt(args[++i]);
                    case "--quick" -> quick = true;
                    case "--no-pin" -> pin = false;
                    case "--logs" -> logs = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            for (String c : clients) {
                if (!EchoClient.IDS.contains(c)) {
                    throw new IllegalArgumentException("no client " + c + "; the clients are " + String.join(",", EchoClient.IDS));
                }
            }
            return new Options(clients, runs != null ? runs : quick ? 1 : 3,
                    warmup != null ? warmup : quick ? 300 : 2000, duration != null ? duration : quick ? 300 : 5000,
                    quick ? 10 : 100, memory != null ? memory : quick ? 20 : 1000, quick, pin,
                    logs != null ? logs : Files.createTempDirectory("duplex-client-bench-"));
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("client bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Table table = run(options, System.out);
        boolean failed = table.rows().stream().flatMap(r -> r.cells().values().stream()).anyMatch(c -> !c.isMeasured());
        System.exit(failed ? 1 : 0);
    }

    public static Table run(Options options, PrintStream out) throws IOException, InterruptedException {
        boolean pin = options.pin() && ChildJvm.canPin();
        out.println("# Duplex load benchmark: clients");
        out.println();
        out.println(Machine.describe(pin));
        out.printf(Locale.ROOT, "Server: Netty's echo server. Each cell: the median of %d run%s of %d ms after %d ms of"
                        + " warm-up; memory: %d connections, one process per run.%n", options.runs(),
                options.runs() == 1 ? "" : "s", options.durationMillis(), options.warmupMillis(),
                options.memoryConnections());
        out.println("Logs: " + options.logs());
        out.println();
        Table table = new Table(EchoClient.title("duplex"), options.clients().stream().map(EchoClient::title).toList());
        String echoShape = options.echoConnections() + " conns x 32 B";
        Table.Row echo1 = table.row("echo-1: " + echoShape + ", 1 in flight", "msg/s", true);
        Table.Row echo16 = table.row("echo-16: " + echoShape + ", 16 in flight", "msg/s", true);
        Table.Row heap = table.row("heap per open connection", "KiB/conn", false);
        Table.Row rss = table.row("RSS per open connection", "KiB/conn", false);
        Instant start = Instant.now();
        for (String client : options.clients()) {
            String title = EchoClient.title(client);
            Table.Cell c1 = measure(options, pin, client, "echo-1", options.echoConnections(), 1).getFirst();
            echo1.cells().put(title, c1);
            progress(out, "echo-1", title, c1, "msg/s");
            Table.Cell c16 = measure(options, pin, client, "echo-16", options.echoConnections(), 1).getFirst();
            echo16.cells().put(title, c16);
            progress(out, "echo-16", title, c16, "msg/s");
            List<Table.Cell> memory = measure(options, pin, client, "memory", options.memoryConnections(), 2);
            heap.cells().put(title, memory.get(0));
            rss.cells().put(title, memory.get(1));
            progress(out, "heap", title, memory.get(0), "KiB/conn");
            progress(out, "rss", title, memory.get(1), "KiB/conn");
        }
        out.println();
        out.println(Machine.load() + "; took " + Duration.between(start, Instant.now()).truncatedTo(ChronoUnit.SECONDS)
                .toString().substring(2).toLowerCase(Locale.ROOT) + ".");
        out.println();
        table.print(out);
        out.flush();
        return table;
    }

    private static void progress(PrintStream out, String what, String client, Table.Cell cell, String unit) {
        out.printf(Locale.ROOT, "  %-8s %-15s %s%n", what, client, cell.isMeasured()
                ? Table.number(cell.stats().median()) + " " + unit + "  runs "
                + String.join(" ", cell.stats().runs().stream().map(Table::number).toList())
                + "  (" + cell.checked() + " echoes checked)"
                : "FAILED: " + cell.failure());
        out.flush();
    }

    /**
     * Runs one client scenario against a fresh Netty echo server. Throughput runs back to back in one process;
     * memory takes a process per run. Returns one cell per figure the scenario reports.
     */
    private static List<Table.Cell> measure(Options options, boolean pin, String client, String scenario,
                                            int connections, int figures) throws IOException, InterruptedException {
        boolean memory = scenario.equals("memory");
        int processes = memory ? options.runs() : 1;
        List<List<Double>> values = new ArrayList<>();
        for (int f = 0; f < figures; f++) {
            values.add(new ArrayList<>());
        }
        long checked = 0;
        for (int p = 0; p < processes; p++) {
            String name = "client-" + client + "-" + scenario + (processes > 1 ? "-" + (p + 1) : "");
            try (ChildJvm server = ChildJvm.start(pin ? 0 : -1, Bench.serverJvmOptions(), NettyEcho.class.getName(),
                    List.of("--port", "0"), options.logs().resolve(name + "-server.log"))) {
                Optional<String> ready = server.awaitLine(l -> l.startsWith("listening "), Duration.ofSeconds(60));
                if (ready.isEmpty()) {
                    return failed(figures, "the server did not start: " + server.logTail());
                }
                String port = ready.get().substring("listening ".length()).trim();
                List<String> args = List.of("--client", client, "--scenario", scenario, "--port", port,
                        "--connections", Integer.toString(connections),
                        "--warmup-ms", Long.toString(options.warmupMillis()),
                        "--duration-ms", Long.toString(options.durationMillis()),
                        "--runs", Integer.toString(memory ? 1 : options.runs()));
                try (ChildJvm load = ChildJvm.start(pin ? 1 : -1, clientJvmOptions(), ClientLoad.class.getName(), args,
                        options.logs().resolve(name + ".log"))) {
                    List<String> lines = load.awaitExit(Duration.ofMillis(options.warmupMillis()
                            + options.runs() * options.durationMillis()).plusMinutes(5));
                    Optional<String> error = lines.stream().filter(l -> l.startsWith("error ")).findFirst();
                    if (error.isPresent() || load.exitCode() != 0) {
                        return failed(figures, error.map(e -> e.substring(6))
                                .orElse("the client exited with " + load.exitCode() + ": " + load.logTail()));
                    }
                    for (String line : lines) {
                        String[] f = line.split(" ");
                        if (f[0].equals("run")) {
                            for (int i = 0; i < figures; i++) {
                                values.get(i).add(Double.parseDouble(f[2 + i]));
                            }
                        } else if (f[0].equals("checked")) {
                            checked += Long.parseLong(f[1]);
                        }
                    }
                }
            }
        }
        List<Table.Cell> cells = new ArrayList<>();
        for (List<Double> v : values) {
            cells.add(v.isEmpty() ? Table.Cell.failed("no runs were reported") : Table.Cell.measured(new Stats(v), checked));
        }
        return cells;
    }

    /** The clients run with the servers' JVM options. */
    private static List<String> clientJvmOptions() {
        return Bench.serverJvmOptions();
    }

    private static List<Table.Cell> failed(int figures, String reason) {
        List<Table.Cell> cells = new ArrayList<>();
        for (int i = 0; i < figures; i++) {
            cells.add(Table.Cell.failed(reason));
        }
        return cells;
    }
}
