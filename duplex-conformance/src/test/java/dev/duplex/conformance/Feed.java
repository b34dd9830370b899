package dev.duplex.conformance;

import dev.duplex.CloseStatus;
import dev.duplex.Message;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.Protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The fuzz targets' harness for a {@link Protocol}: feeds it bytes whole or in pieces, drains its events into short
 * descriptions, and checks what must hold for any input: no exception escapes ({@code receive} "never throws on bad
 * input"), at most one terminal event and nothing after it, and only the close codes a peer's bytes can earn.
 */
final class Feed {

    /** What bad input may be answered with: 1002, 1007, 1009; 1006 when the stream ends without a Close. */
    private static final Set<Integer> FAILURE_CODES = Set.of(1002, 1007, 1009, 1006);

    private Feed() {
    }

    /** Feeds {@code data} to the protocol in one piece, or in pieces of 1-17 bytes chosen by {@code seed}. */
    static List<String> run(Protocol protocol, byte[] data, long seed, boolean whole, int maxMessage) {
        List<String> events = new ArrayList<>();
        boolean ended = false;
        SplittableRandom random = new SplittableRandom(seed);
        int i = 0;
        while (i < data.length) {
            int n = whole ? data.length : Math.min(data.length - i, 1 + random.nextInt(17));
            ByteBuffer piece = ByteBuffer.wrap(data, i, n);
            protocol.receive(piece);
            if (piece.hasRemaining()) {
                throw new AssertionError("receive() left " + piece.remaining() + " bytes unconsumed");
            }
            i += n;
            ended = drain(protocol, events, ended, maxMessage);
            while (protocol.nextOutput() != null) {
                // pongs and Close frames: written by the I/O layer, nothing to check here
            }
        }
        protocol.receiveEof();
        drain(protocol, events, ended, maxMessage);
        protocol.release();
        return events;
    }

    private static boolean drain(Protocol protocol, List<String> events, boolean ended, int maxMessage) {
        for (Event e; (e = protocol.nextEvent()) != null; ) {
            if (ended) {
                throw new AssertionError("an event after the terminal one: " + e + " after " + events);
            }
            switch (e) {
                case Event.Received r -> {
                    int size = switch (r.message()) {
                        case Message.Text t -> t.text().length();
                        case Message.Binary b -> b.data().remaining();
                    };
                    if (r.message() instanceof Message.Binary && size > maxMessage) {
                        throw new AssertionError("a message of " + size + " bytes passed the limit of " + maxMessage);
                    }
                    events.add(describe(r.message()));
                }
                case Event.Ping p -> events.add("ping " + hex(p.payload()));
                case Event.Pong p -> events.add("pong " + hex(p.payload()));
                case Event.CloseReceived c -> {
                    events.add("close " + c.status().code() + " " + c.status().reason());
                    ended = true;
                }
                case Event.Failed f -> {
                    CloseStatus s = f.status();
                    if (!FAILURE_CODES.contains(s.code())) {
                        throw new AssertionError("bad input failed with " + s + ": " + f.reason());
                    }
                    events.add("failed " + s.code());
                    ended = true;
                }
            }
        }
        return ended;
    }

    static String describe(Message m) {
        return switch (m) {
            case Message.Text t -> "text " + t.text().length() + " " + t.text().hashCode();
            case Message.Binary b -> "binary " + b.data().remaining() + " " + b.data().hashCode();
        };
    }

    private static String hex(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Whole and split feeding must see the same events: a parser must not depend on how TCP cut the bytes. */
    static void sameEvents(List<String> whole, List<String> split, long seed) {
        if (!whole.equals(split)) {
            throw new AssertionError("fed whole: " + whole + "\nfed in pieces (seed " + seed + "): " + split);
        }
    }

    static long seed(byte[] data) {
        return Arrays.hashCode(data);
    }
}
