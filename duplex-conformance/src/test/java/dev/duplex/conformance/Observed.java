package dev.duplex.conformance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * What the suite saw the peer do, in order: Autobahn's {@code received} list ({@code ("message", payload, binary)},
 * {@code ("ping", payload)}, {@code ("pong", payload)}) plus the markers a case writes itself when a wait passed
 * with no reaction ({@code ("timeout", "A")}). Payloads compare by content.
 */
sealed interface Observed {

    record Message(boolean binary, byte[] payload) implements Observed {
    }

    record Ping(byte[] payload) implements Observed {
    }

    record Pong(byte[] payload) implements Observed {
    }

    record Timeout(String tag) implements Observed {
    }

    static Observed text(String text) {
        return new Message(false, text.getBytes(StandardCharsets.UTF_8));
    }

    static Observed text(byte[] utf8) {
        return new Message(false, utf8);
    }

    static Observed pong(byte[] payload) {
        return new Pong(payload);
    }

    static Observed pong(String payload) {
        return new Pong(payload.getBytes(StandardCharsets.UTF_8));
    }

    static Observed timeout(String tag) {
        return new Timeout(tag);
    }

    /** Autobahn's comparison: the same events, in the same order, with the same payloads. */
    static boolean same(List<Observed> a, List<Observed> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!same(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean same(Observed x, Observed y) {
        return switch (x) {
            case Message m -> y instanceof Message n && m.binary() == n.binary()
                    && Arrays.equals(m.payload(), n.payload());
            case Ping p -> y instanceof Ping q && Arrays.equals(p.payload(), q.payload());
            case Pong p -> y instanceof Pong q && Arrays.equals(p.payload(), q.payload());
            case Timeout t -> y instanceof Timeout u && t.tag().equals(u.tag());
        };
    }

    /** A short form for reports: kind and payload, long payloads by their length. */
    static String describe(Observed o) {
        return switch (o) {
            case Message m -> (m.binary() ? "binary " : "text ") + shown(m.payload());
            case Ping p -> "ping " + shown(p.payload());
            case Pong p -> "pong " + shown(p.payload());
            case Timeout t -> "timeout " + t.tag();
        };
    }

    static String describe(List<Observed> list) {
        return list.stream().map(Observed::describe).toList().toString();
    }

    private static String shown(byte[] payload) {
        return payload.length <= 24 ? "[" + HexFormat.of().formatHex(payload) + "]" : "[" + payload.length + " bytes]";
    }
}
