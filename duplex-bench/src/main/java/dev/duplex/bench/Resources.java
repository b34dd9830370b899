package dev.duplex.bench;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the soak run samples of its own process: resident memory, the heap, platform threads, Duplex's threads
 * (virtual ones included, from a JSON thread dump) and open file descriptors. Linux: {@code /proc/self}.
 */
final class Resources {

    private static final Pattern DUPLEX_THREAD = Pattern.compile("\"name\": \"duplex-");

    /**
     * One sample.
     *
     * @param at          time since the churn started
     * @param open        connections open on the soak's servers
     * @param connections connections started so far
     * @param sent        messages sent so far by well-behaved clients
     * @param received    of those, echoes received and checked
     */
    record Sample(Duration at, long rssKiB, long heapUsedKiB, long heapCommittedKiB, int platformThreads,
                  int duplexThreads, long fds, int open, long connections, long sent, long received) {
    }

    private Resources() {
    }

    static Sample sample(Duration at, int open, long connections, long sent, long received) {
        Runtime runtime = Runtime.getRuntime();
        return new Sample(at, status("VmRSS"), (runtime.totalMemory() - runtime.freeMemory()) >> 10,
                runtime.totalMemory() >> 10, (int) status("Threads"), duplexThreads(), fds(), open, connections,
                sent, received);
    }

    /** A numeric field of {@code /proc/self/status}. */
    static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long fds() {
        try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
            return list.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Live threads named {@code duplex-...}, virtual ones included. */
    static int duplexThreads() {
        try {
            Path dir = Files.createTempDirectory("duplex-soak");
            Path file = dir.resolve("threads.json");
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                Matcher m = DUPLEX_THREAD.matcher(Files.readString(file));
                int n = 0;
                while (m.find()) {
                    n++;
                }
                return n;
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The samples as a table, one row each. */
    static String table(List<Sample> samples) {
        StringBuilder sb = new StringBuilder(header());
        for (Sample s : samples) {
            sb.append(row(clock(s.at()), s));
        }
        return sb.toString();
    }

    /** The samples as a table, between a row for before the churn and one for after it. */
    static String table(Sample before, List<Sample> samples, Sample after) {
        StringBuilder sb = new StringBuilder(header()).append(row("before", before));
        for (Sample s : samples) {
            sb.append(row(clock(s.at()), s));
        }
        return sb.append(row("after", after)).toString();
    }

    private static String header() {
        return String.format(Locale.ROOT, "%8s %9s %9s %9s %8s %8s %6s %6s %11s %12s %12s%n", "time", "rss MiB",
                "heap MiB", "heap cmt", "threads", "duplex", "fds", "open", "connections", "sent", "received");
    }

    private static String row(String label, Sample s) {
        return String.format(Locale.ROOT, "%8s %9.1f %9.1f %9.1f %8d %8d %6d %6d %11d %12d %12d%n", label,
                s.rssKiB() / 1024.0, s.heapUsedKiB() / 1024.0, s.heapCommittedKiB() / 1024.0, s.platformThreads(),
                s.duplexThreads(), s.fds(), s.open(), s.connections(), s.sent(), s.received());
    }

    private static String clock(Duration d) {
        return d.isNegative() ? "before" : String.format(Locale.ROOT, "%d:%02d", d.toMinutes(), d.toSecondsPart());
    }
}
