package dev.duplex.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/** What a benchmark ran on, said in its output so that a table carries its context. */
final class Machine {

    private Machine() {
    }

    static String describe(boolean pinned) {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException ignored) {
            // Not Linux: say less.
        }
        return LocalDate.now() + ", " + cpu + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", Java "
                + Runtime.version() + "; "
                + (pinned ? "server pinned to CPU 0 and load to CPU 1 (taskset)" : "not pinned (no taskset or one CPU)")
                + "; " + load() + " at start.";
    }

    /** The load average, which says whether something else was running. */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return "load average " + f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "load average unknown";
        }
    }
}
