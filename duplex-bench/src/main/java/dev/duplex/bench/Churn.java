package dev.duplex.bench;

import dev.duplex.ClientOptions;
import dev.duplex.Compression;
import dev.duplex.Handler;
import dev.duplex.Headers;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketException;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak run's connections to its server: well-behaved ones, whose every message must come back intact, and
 * misbehaving ones, each of which must get the protocol's answer. Every connection of either kind is checked; what
 * did not go as it should is counted as unexpected, by scenario and exception.
 */
final class Churn {

    /** The server's largest message: the default limit. */
    static final int MAX_MESSAGE = 1 << 20;
    /** The largest message a well-behaved client sends: random sizes, log-uniform from 0 to this. */
    private static final int LARGEST = 256 * 1024;
    /** How long a well-behaved client waits for an echo before it calls the connection broken. */
    private static final Duration ECHO_WAIT = Duration.ofSeconds(30);

    /** What one connection does; {@code weight} of every 100 connections do it. */
    enum Scenario {
        CLIENT_CLOSES(28, true),
        PIPELINED(10, true),
        SERVER_CLOSES(12, true),
        OVERSIZED_MESSAGE(4, false),
        HANDLER_THROWS(4, false),
        RESET_MID_MESSAGE(10, false),
        PROTOCOL_VIOLATION(8, false),
        NOT_A_HANDSHAKE(3, false),
        SILENT_UNTIL_IDLE_TIMEOUT(2, false),
        STALLED_HANDSHAKE(2, false),
        STOPS_READING(1, false);

        final int weight;
        /** Whether every message it sends must come back: the connections that count for lost messages. */
        final boolean wellBehaved;

        Scenario(int weight, boolean wellBehaved) {
            this.weight = weight;
            this.wellBehaved = wellBehaved;
        }

        static Scenario pick(SplittableRandom random) {
            int total = 0;
            for (Scenario s : values()) {
                total += s.weight;
            }
            int r = random.nextInt(total);
            for (Scenario s : values()) {
                r -= s.weight;
                if (r < 0) {
                    return s;
                }
            }
            throw new AssertionError();
        }
    }

    /** The counts of the whole run. */
    static final class Tally {
        final AtomicLong connections = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        /** Messages sent and never echoed on well-behaved connections that closed cleanly. */
        final AtomicLong lost = new AtomicLong();
        final AtomicLong corrupt = new AtomicLong();
        final AtomicLong cleanlyClosed = new AtomicLong();
        final AtomicLong unexpected = new AtomicLong();
        final Map<Scenario, AtomicLong> runs = new EnumMap<>(Scenario.class);
        /** The unexpected ends by scenario and exception, counted: at most 50 kinds are told apart. */
        final Map<String, AtomicLong> kinds = new ConcurrentHashMap<>();

        Tally() {
            for (Scenario s : Scenario.values()) {
                runs.put(s, new AtomicLong());
            }
        }

        void unexpected(Scenario scenario, Throwable t) {
            unexpected.incrementAndGet();
            String what = String.valueOf(t);
            String kind = scenario + ": " + (what.length() > 160 ? what.substring(0, 160) + "..." : what);
            AtomicLong count = kinds.get(kind);
            if (count == null && kinds.size() >= 50) {
                kind = scenario + ": (other)";
            }
            kinds.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        }

        /** The unexpected ends, most frequent first, with their counts. */
        List<String> unexpectedKinds() {
            List<Map.Entry<String, AtomicLong>> entries = new ArrayList<>(kinds.entrySet());
            entries.sort((a, b) -> Long.compare(b.getValue().get(), a.getValue().get()));
            List<String> lines = new ArrayList<>();
            for (Map.Entry<String, AtomicLong> e : entries) {
                lines.add(e.getValue().get() + " x " + e.getKey());
            }
            return lines;
        }
    }

    private final Duration closeTimeout;
    private final Duration handshakeTimeout;
    private final Tally tally;
    private volatile int port;
    /** Connections on /flood/<id>: completed by the server's handler when its send fails. */
    private final Map<String, CompletableFuture<Throwable>> floods = new ConcurrentHashMap<>();
    private final AtomicLong floodIds = new AtomicLong();

    /** Connections to a server with these timeouts, which runs {@link #handler()}; see {@link #target}. */
    Churn(Duration closeTimeout, Duration handshakeTimeout, Tally tally) {
        this.closeTimeout = closeTimeout;
        this.handshakeTimeout = handshakeTimeout;
        this.tally = tally;
    }

    /** The port of the server the connections go to. */
    void target(int port) {
        this.port = port;
    }

    /**
     * The server's side: echo on "/", echo N messages and close on "/close-after/N", throw on "/throw", and on
     * "/flood/ID" send until sending fails (a peer that reads nothing: the send timeout).
     */
    Handler<Void> handler() {
        return (ws, state) -> {
            String target = ws.startLine().split(" ")[1];
            if (target.startsWith("/close-after/")) {
                int n = Integer.parseInt(target.substring("/close-after/".length()));
                for (int i = 0; i < n; i++) {
                    Message m = ws.receive();
                    if (m == null) {
                        return;
                    }
                    ws.send(m);
                }
            } else if (target.equals("/throw")) {
                ws.receive();
                throw new IllegalStateException("a handler that fails, on purpose");
            } else if (target.startsWith("/flood/")) {
                CompletableFuture<Throwable> done = floods.get(target.substring("/flood/".length()));
                ByteBuffer chunk = ByteBuffer.wrap(new byte[256 * 1024]);
                try {
                    for (int i = 0; i < 4096; i++) {
                        ws.send(chunk.duplicate());
                    }
                    done.complete(null);
                } catch (IOException e) {
                    done.complete(e);
                }
            } else {
                for (Message m; (m = ws.receive()) != null; ) {
                    ws.send(m);
                }
            }
        };
    }

    /** Runs one connection of this scenario; anything that does not go as it should is counted unexpected. */
    void run(Scenario scenario, SplittableRandom random) {
        tally.connections.incrementAndGet();
        tally.runs.get(scenario).incrementAndGet();
        try {
            switch (scenario) {
                case CLIENT_CLOSES -> exchange(random, "/", 1 + random.nextInt(16), 1, false);
                case PIPELINED -> exchange(random, "/", 2 + random.nextInt(7), 8, false);
                case SERVER_CLOSES -> {
                    int n = 1 + random.nextInt(16);
                    exchange(random, "/close-after/" + n, n, 1, true);
                }
                case OVERSIZED_MESSAGE -> expectFailure(random, "/", Message.binary(new byte[MAX_MESSAGE + 1]),
                        1009);
                case HANDLER_THROWS -> expectFailure(random, "/throw", Message.text("throw"), 1011);
                case RESET_MID_MESSAGE -> {
                    RawPeer peer = RawPeer.connect(port);
                    peer.handshake("/");
                    byte[] frame = RawPeer.frame(true, RawPeer.BINARY, new byte[1000], true);
                    peer.write(java.util.Arrays.copyOf(frame, 1 + random.nextInt(frame.length - 1)));
                    peer.reset();
                }
                case PROTOCOL_VIOLATION -> {
                    try (RawPeer peer = RawPeer.connect(port)) {
                        peer.handshake("/");
                        peer.write(RawPeer.frame(true, RawPeer.TEXT, "unmasked".getBytes(StandardCharsets.UTF_8),
                                false));
                        expect(peer.readCloseCode() == 1002, "Close 1002 for an unmasked frame");
                        peer.awaitEnd(closeTimeout.plusSeconds(5));
                    }
                }
                case NOT_A_HANDSHAKE -> {
                    try (RawPeer peer = RawPeer.connect(port)) {
                        peer.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        peer.awaitEnd(Duration.ofSeconds(10)); // the 426 and then the end
                    }
                }
                case SILENT_UNTIL_IDLE_TIMEOUT -> {
                    try (RawPeer peer = RawPeer.connect(port)) {
                        peer.handshake("/");
                        expect(peer.readCloseCode() == 1001, "Close 1001 at the idle timeout");
                        peer.awaitEnd(closeTimeout.plusSeconds(5)); // never answered: dropped at the close timeout
                    }
                }
                case STALLED_HANDSHAKE -> {
                    try (RawPeer peer = RawPeer.connect(port)) {
                        peer.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        peer.awaitEnd(handshakeTimeout.plusSeconds(5));
                    }
                }
                case STOPS_READING -> {
                    String id = Long.toString(floodIds.incrementAndGet());
                    CompletableFuture<Throwable> done = new CompletableFuture<>();
                    floods.put(id, done);
                    try (RawPeer peer = RawPeer.connect(port)) {
                        peer.handshake("/flood/" + id); // and then reads nothing
                        Throwable failure = done.get(30, TimeUnit.SECONDS);
                        expect(failure instanceof WebSocketException, "the server's send to be dropped");
                    } finally {
                        floods.remove(id);
                    }
                }
            }
        } catch (Throwable t) {
            tally.unexpected(scenario, t);
        }
    }

    /**
     * A well-behaved connection: {@code count} messages, {@code burst} sent before their echoes are read, every echo
     * checked; then the client closes, or, with {@code serverCloses}, the server's end of stream is expected.
     */
    private void exchange(SplittableRandom random, String target, int count, int burst, boolean serverCloses)
            throws IOException {
        long sent = 0;
        long received = 0;
        try (WebSocket ws = WebSocket.connect(URI.create("ws://127.0.0.1:" + port + target), Headers.EMPTY,
                clientOptions(random))) {
            List<Message> waiting = new ArrayList<>();
            boolean ended = false;
            while (sent < count && !ended) {
                for (int i = 0; i < burst && sent < count; i++) {
                    Message m = message(random);
                    ws.send(m);
                    waiting.add(m);
                    sent++;
                    tally.sent.incrementAndGet();
                }
                for (Message expected : waiting) {
                    Message echo = receive(ws);
                    if (echo == null) {
                        ended = true; // a clean end before every echo came: counted as lost below
                        break;
                    }
                    if (!echo.equals(expected)) {
                        tally.corrupt.incrementAndGet();
                    } else {
                        received++;
                        tally.received.incrementAndGet();
                    }
                }
                waiting.clear();
            }
            if (serverCloses && !ended) {
                expect(receive(ws) == null, "the server's clean end after " + count + " echoes");
            }
        }
        tally.cleanlyClosed.incrementAndGet();
        tally.lost.addAndGet(sent - received);
    }

    private void expectFailure(SplittableRandom random, String target, Message message, int code)
            throws IOException {
        try (WebSocket ws = WebSocket.connect(URI.create("ws://127.0.0.1:" + port + target), Headers.EMPTY,
                clientOptions(random))) {
            try {
                ws.send(message);
            } catch (WebSocketException e) {
                // The server may answer a message too big before it has all of it, and close under the send;
                // receive() still tells why.
            }
            try {
                Message m = receive(ws);
                throw new IOException("expected close code " + code + ", got " + m);
            } catch (WebSocketException e) {
                expect(e.status().code() == code, "close code " + code + ", not " + e.status());
            }
        }
    }

    private static Message receive(WebSocket ws) throws IOException {
        Optional<WebSocket> ready;
        try {
            ready = WebSocket.select(List.of(ws), ECHO_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        }
        if (ready.isEmpty()) {
            throw new IOException("nothing received within " + ECHO_WAIT);
        }
        return ws.receive();
    }

    private static void expect(boolean condition, String what) throws IOException {
        if (!condition) {
            throw new IOException("expected " + what);
        }
    }

    /** A client that compresses or not, with or without context takeover, small windows or large. */
    private static ClientOptions clientOptions(SplittableRandom random) {
        Compression compression = switch (random.nextInt(4)) {
            case 0 -> Compression.DISABLED;
            case 1 -> Compression.DEFAULT;
            case 2 -> Compression.LOW_MEMORY;
            default -> Compression.DEFAULT.withThreshold(0).withMaxWindowBits(10, 10);
        };
        return ClientOptions.DEFAULT.withCompression(compression);
    }

    /** A message of random size (log-uniform up to 256 KiB), type and compressibility. */
    static Message message(SplittableRandom random) {
        int size = (int) Math.min(LARGEST, Math.pow(2, random.nextDouble() * 18.0)) - 1;
        boolean compressible = random.nextBoolean();
        if (random.nextBoolean()) {
            StringBuilder sb = new StringBuilder(size);
            String alphabet = "duplex soak \u00e9\u20ac\uD83D\uDE00";
            while (sb.length() < size) {
                if (compressible) {
                    sb.append("duplex soak ");
                } else {
                    int at = random.nextInt(alphabet.length() - 1);
                    sb.append(Character.isHighSurrogate(alphabet.charAt(at)) ? alphabet.substring(at, at + 2)
                            : Character.isLowSurrogate(alphabet.charAt(at)) ? "x" : alphabet.substring(at, at + 1));
                }
            }
            return Message.text(sb.length() > size && !Character.isHighSurrogate(sb.charAt(size - 1))
                    ? sb.substring(0, size) : sb.toString());
        }
        byte[] data = new byte[size];
        if (compressible) {
            for (int i = 0; i < size; i++) {
                data[i] = (byte) "duplex soak ".charAt(i % 12);
            }
        } else {
            random.nextBytes(data);
        }
        return Message.binary(data);
    }
}
