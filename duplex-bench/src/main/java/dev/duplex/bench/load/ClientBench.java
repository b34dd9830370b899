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
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The client benchmark's driver: Duplex's client against the JDK's {@code java.net.http.WebSocket}, OkHttp and
 * Jetty's client, all driving load against the same server (Netty's echo server, pinned to CPU 0), each client in
 * its own JVM pinned to CPU 1, in rounds as {@link Bench} does. Rows: messages per second with 100 connections x 32 B, one and 16 in flight, and the
 * client's heap and resident memory per open connection.
 *
 * <pre>
 * java -cp benchmarks.jar dev.duplex.bench.load.ClientBench [--quick] [--clients duplex,jdk,okhttp,jetty]
 *     [--runs 3] [--warmup-ms 3000] [--duration-ms 5000] [--memory-connections 1000] [--no-pin] [--logs DIR]
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
                    warmup != null ? warmup : quick ? 300 : 3000, duration != null ? duration : quick ? 300 : 5000,
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
        System.exit(table.allMeasured() ? 0 : 1);
    }

    public static Table run(Options options, PrintStream out) throws IOException, InterruptedException {
        boolean pin = options.pin() && ChildJvm.canPin();
        out.println("# Duplex load benchmark: clients");
        out.println();
        out.println(Machine.describe(pin));
        out.printf(Locale.ROOT, "Server: Netty's echo server. Each cell: the median of %d round%s; in each round every"
                        + " client in turn gets a fresh server and JVM, %d ms of warm-up and one run of %d ms; memory:"
                        + " %d connections.%n", options.runs(), options.runs() == 1 ? "" : "s",
                options.warmupMillis(), options.durationMillis(), options.memoryConnections());
        out.println("Logs: " + options.logs());
        out.println();
        String echoShape = options.echoConnections() + " conns x 32 B";
        List<String> labels = List.of("echo-1: " + echoShape + ", 1 in flight", "echo-16: " + echoShape
                + ", 16 in flight", "heap per open connection", "RSS per open connection");
        List<String> units = List.of("msg/s", "msg/s", "KiB/conn", "KiB/conn");
        Map<String, List<Runs>> results = new LinkedHashMap<>();
        Instant start = Instant.now();
        for (int round = 1; round <= options.runs(); round++) {
            for (String client : options.clients()) {
                List<Runs> runs = results.computeIfAbsent(client, c -> List.of(new Runs(), new Runs(), new Runs(),
                        new Runs()));
                measureOnce(options, pin, client, "echo-1", options.echoConnections(), round, runs.subList(0, 1));
                measureOnce(options, pin, client, "echo-16", options.echoConnections(), round, runs.subList(1, 2));
                measureOnce(options, pin, client, "memory", options.memoryConnections(), round, runs.subList(2, 4));
                for (int i = 0; i < 4; i++) {
                    Runs r = runs.get(i);
                    out.printf(Locale.ROOT, "  round %d  %-15s %-40s %s%n", round, EchoClient.title(client),
                            labels.get(i), r.failed() ? "FAILED: " + r.cell().failure()
                                    : String.join(" ", r.values().stream().map(Table::number).toList()) + " "
                                    + units.get(i));
                }
                out.flush();
            }
        }
        Table table = new Table(EchoClient.title("duplex"), options.clients().stream().map(EchoClient::title).toList());
        for (int i = 0; i < 4; i++) {
            Table.Row row = table.row(labels.get(i), units.get(i), i < 2);
            for (String client : options.clients()) {
                row.cells().put(EchoClient.title(client), results.get(client).get(i).cell());
            }
        }
        out.println();
        out.println(Machine.load() + " at the end; took " + Duration.between(start, Instant.now())
                .truncatedTo(ChronoUnit.SECONDS).toString().substring(2).toLowerCase(Locale.ROOT) + ".");
        out.println();
        table.print(out);
        out.flush();
        return table;
    }

    /**
     * One round of one client scenario against a fresh Netty echo server, adding to {@code runs} (one per figure the
     * scenario reports: throughput, or heap and RSS).
     */
    private static void measureOnce(Options options, boolean pin, String client, String scenario, int connections,
                                    int round, List<Runs> runs) throws IOException, InterruptedException {
        if (runs.getFirst().failed()) {
            return;
        }
        String name = "client-" + client + "-" + scenario + "-" + round;
        try (ChildJvm server = ChildJvm.start(pin ? 0 : -1, Bench.serverJvmOptions(), NettyEcho.class.getName(),
                List.of("--port", "0"), options.logs().resolve(name + "-server.log"))) {
            Optional<String> ready = server.awaitLine(l -> l.startsWith("listening "), Duration.ofSeconds(60));
            if (ready.isEmpty()) {
                runs.forEach(r -> r.fail("the server did not start: " + server.logTail()));
                return;
            }
            String port = ready.get().substring("listening ".length()).trim();
            List<String> args = List.of("--client", client, "--scenario", scenario, "--port", port,
                    "--connections", Integer.toString(connections),
                    "--warmup-ms", Long.toString(options.warmupMillis()),
                    "--duration-ms", Long.toString(options.durationMillis()),
                    "--runs", "1");
            try (ChildJvm load = ChildJvm.start(pin ? 1 : -1, clientJvmOptions(), ClientLoad.class.getName(), args,
                    options.logs().resolve(name + ".log"))) {
                List<String> lines = load.awaitExit(Duration.ofMillis(options.warmupMillis()
                        + options.durationMillis()).plusMinutes(5));
                Optional<String> error = lines.stream().filter(l -> l.startsWith("error ")).findFirst();
                if (error.isPresent() || load.exitCode() != 0) {
                    String reason = error.map(e -> e.substring(6))
                            .orElse("the client exited with " + load.exitCode() + ": " + load.logTail());
                    runs.forEach(r -> r.fail(reason));
                    return;
                }
                for (String line : lines) {
                    String[] f = line.split(" ");
                    if (f[0].equals("run")) {
                        for (int i = 0; i < runs.size(); i++) {
                            runs.get(i).add(Double.parseDouble(f[2 + i]));
                        }
                    } else if (f[0].equals("checked")) {
                        runs.forEach(r -> r.checked(Long.parseLong(f[1])));
                    }
                }
            }
        }
    }

    /** The clients run with the servers' JVM options. */
    private static List<String> clientJvmOptions() {
        return Bench.serverJvmOptions();
    }

}
