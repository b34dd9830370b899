package dev.duplex.bench.load;

import java.util.Arrays;
import java.util.List;

/**
 * The load benchmark's scenarios. Each has its full size and a quick one (for CI's smoke run), and says whether a
 * higher figure is better.
 */
public enum Scenario {
    ECHO_1("echo-1", Kind.ECHO, 100, 10, 32, 1, false, "msg/s", "100 conns x 32 B text, 1 in flight"),
    ECHO_16("echo-16", Kind.ECHO, 100, 10, 32, 16, false, "msg/s", "100 conns x 32 B text, 16 in flight"),
    BIG("big", Kind.ECHO, 10, 2, 64 * 1024, 1, true, "msg/s", "10 conns x 64 KiB binary, 1 in flight"),
    MANY("many", Kind.ECHO, 1000, 50, 512, 1, false, "msg/s", "1,000 conns x 512 B text, 1 in flight"),
    HANDSHAKES("handshakes", Kind.HANDSHAKES, 16, 4, 32, 1, false, "hs/s",
            "open + opening handshake + closing handshake, 16 at a time"),
    IDLE_MEMORY("idle-memory", Kind.IDLE, 10_000, 200, 32, 1, false, "KiB/conn",
            "server RSS per idle connection, 10,000 open");

    /** How a scenario drives its connections. */
    public enum Kind { ECHO, HANDSHAKES, IDLE }

    private final String id;
    private final Kind kind;
    private final int connections;
    private final int quickConnections;
    private final int size;
    private final int inFlight;
    private final boolean binary;
    private final String unit;
    private final String description;

    Scenario(String id, Kind kind, int connections, int quickConnections, int size, int inFlight, boolean binary,
             String unit, String description) {
        this.id = id;
        this.kind = kind;
        this.connections = connections;
        this.quickConnections = quickConnections;
        this.size = size;
        this.inFlight = inFlight;
        this.binary = binary;
        this.unit = unit;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    /** Connections (for {@link Kind#HANDSHAKES}: cycles running at once). */
    public int connections(boolean quick) {
        return quick ? quickConnections : connections;
    }

    public int size() {
        return size;
    }

    public int inFlight() {
        return inFlight;
    }

    public boolean isBinary() {
        return binary;
    }

    public String unit() {
        return unit;
    }

    public String description() {
        return description;
    }

    /** Throughput: higher is better; memory: lower is better. */
    public boolean higherIsBetter() {
        return kind != Kind.IDLE;
    }

    public static Scenario of(String id) {
        for (Scenario s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no scenario " + id + "; the scenarios are " + ids(List.of(values())));
    }

    public static String ids(List<Scenario> scenarios) {
        return String.join(",", scenarios.stream().map(Scenario::id).toList());
    }

    public static List<Scenario> parse(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Scenario::of).toList();
    }
}
