package dev.duplex.conformance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The suite as Autobahn's fuzzing server ({@code wstest -m fuzzingserver}), on 127.0.0.1, for a client under test
 * that speaks the fuzzing-server protocol:
 * <ul>
 *   <li>{@code /getCaseCount}: one text message, the number of cases, then a Close;</li>
 *   <li>{@code /runCase?case=N&agent=A}: case N (1-based) played as the server, the client echoing every message;
 *       the result is recorded under agent A;</li>
 *   <li>{@code /updateReports?agent=A}: the reports are written, then a Close.</li>
 * </ul>
 * Each connection gets a virtual thread. {@link #close()} stops accepting.
 */
final class FuzzingServer implements AutoCloseable {

    private final ServerSocket socket;
    private final List<Case> cases;
    private final BiConsumer<String, CaseResult> results;
    private final Runnable updateReports;
    private final Map<String, CompletableFuture<CaseResult>> pending = new ConcurrentHashMap<>();

    /**
     * @param results       receives each case's result with the agent that ran it
     * @param updateReports writes the reports ({@code /updateReports})
     */
    FuzzingServer(List<Case> cases, BiConsumer<String, CaseResult> results, Runnable updateReports)
            throws IOException {
        this.cases = cases;
        this.results = results;
        this.updateReports = updateReports;
        this.socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().name("fuzzingserver-accept").start(this::acceptLoop);
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + socket.getLocalPort());
    }

    /** The result of case {@code number} for {@code agent}, once its connection is over. */
    CompletableFuture<CaseResult> result(String agent, int number) {
        return pending.computeIfAbsent(agent + "#" + number, k -> new CompletableFuture<>());
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Thread.ofVirtual().name("fuzzingserver-conn").start(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        Wire wire;
        Wire.Head request;
        try {
            wire = new Wire(s);
            request = wire.readHead(System.nanoTime() + Handshakes.TIMEOUT.toNanos());
        } catch (IOException e) {
            close(s);
            return;
        }
        String[] target = request.startLine().split(" ");
        URI uri = URI.create(target.length > 1 ? target[1] : "/");
        Map<String, String> query = query(uri.getRawQuery());
        try {
            switch (uri.getPath()) {
                case "/getCaseCount" -> {
                    Handshakes.answer(wire, request, null);
                    try (Fuzzer f = new Fuzzer(Fuzzer.Part.SERVER, wire, null)) {
                        f.sendMessage(false, Frame.utf8(Integer.toString(cases.size())), 0);
                        closeAndFinish(f);
                    }
                }
                case "/runCase" -> runCase(wire, request, Integer.parseInt(query.getOrDefault("case", "0")),
                        query.getOrDefault("agent", "unknown"));
                case "/updateReports" -> {
                    Handshakes.answer(wire, request, null);
                    updateReports.run();
                    try (Fuzzer f = new Fuzzer(Fuzzer.Part.SERVER, wire, null)) {
                        closeAndFinish(f);
                    }
                }
                default -> {
                    wire.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    wire.close();
                }
            }
        } catch (IOException | RuntimeException e) {
            wire.close();
        }
    }

    private static void closeAndFinish(Fuzzer f) throws IOException {
        f.sendClose(1000);
        f.readUntil(f::peerEnded, Fuzzer.CLOSING);
        f.finishClosing();
    }

    private void runCase(Wire wire, Wire.Head request, int number, String agent) throws IOException {
        if (number < 1 || number > cases.size()) {
            wire.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            wire.close();
            return;
        }
        Case c = cases.get(number - 1);
        Deflate.Agreement agreement = null;
        String extensions = null;
        if (c.compression() != null) {
            Negotiation.Answer answer = Negotiation.answer(c.compression(), request.all("sec-websocket-extensions"));
            if (answer != null) {
                extensions = answer.header();
                agreement = answer.agreement();
            }
        }
        Handshakes.answer(wire, request, extensions);
        CaseResult result = CaseRunner.run(c, new Fuzzer(Fuzzer.Part.SERVER, wire, agreement));
        results.accept(agent, result);
        result(agent, number).complete(result);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> map = new HashMap<>();
        if (raw == null) {
            return map;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                map.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return map;
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
