package dev.duplex.bench;

import jdk.jfr.consumer.RecordingStream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * What the soak run samples of its own process: resident memory, the heap (committed and in use), platform threads,
 * virtual threads (from JFR events) and open file descriptors. Linux: {@code /proc/self}.
 */
final class Resources {

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
                  int virtualThreads, long fds, int open, long connections, long sent, long received) {

        /**
         * Resident memory less the committed heap (which AlwaysPreTouch or use makes resident): what native memory,
         * thread stacks, metaspace and code take, where a leak of zlib streams or sockets would show.
         */
        long offHeapKiB() {
            return rssKiB - heapCommittedKiB;
        }
    }

    private Resources() {
    }

    static Sample sample(Duration at, ThreadCount virtualThreads, int open, long connections, long sent,
                         long received) {
        Runtime runtime = Runtime.getRuntime();
        return new Sample(at, status("VmRSS"), (runtime.totalMemory() - runtime.freeMemory()) >> 10,
                runtime.totalMemory() >> 10, (int) status("Threads"), virtualThreads.live(), fds(), open,
                connections, sent, received);
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

    /**
     * Counts the live virtual threads from the JFR events of virtual threads starting and ending, as they stream in
     * a second or so late. Every thread of Duplex is virtual; the soak's own are its workers, which end with the
     * churn, and the JDK's few I/O pollers. (The events' thread names come through only now and then under load, so
     * the count is of all virtual threads.) A JSON thread dump would name every thread, but on JDK 25 taking one while
     * virtual threads mount and unmount can crash the VM (JDK-8364343, SIGSEGV in stackChunkOopDesc::sender), and a
     * soak does nothing but that.
     */
    static final class ThreadCount implements AutoCloseable {

        private final RecordingStream events = new RecordingStream();
        private final AtomicInteger live = new AtomicInteger();

        ThreadCount() {
            events.enable("jdk.VirtualThreadStart");
            events.enable("jdk.VirtualThreadEnd");
            events.onEvent("jdk.VirtualThreadStart", e -> live.incrementAndGet());
            events.onEvent("jdk.VirtualThreadEnd", e -> live.decrementAndGet());
            events.startAsync();
        }

        int live() {
            return live.get();
        }

        @Override
        public void close() {
            events.close();
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
        return String.format(Locale.ROOT, "%8s %8s %8s %8s %8s %8s %8s %5s %5s %11s %11s %11s%n", "time", "rss MiB",
                "heap cmt", "off-heap", "heap use", "threads", "vthreads", "fds", "open", "connections", "sent",
                "received");
    }

    private static String row(String label, Sample s) {
        return String.format(Locale.ROOT, "%8s %8.1f %8.1f %8.1f %8.1f %8d %8d %5d %5d %11d %11d %11d%n", label,
                s.rssKiB() / 1024.0, s.heapCommittedKiB() / 1024.0, s.offHeapKiB() / 1024.0,
                s.heapUsedKiB() / 1024.0, s.platformThreads(), s.virtualThreads(), s.fds(), s.open(),
                s.connections(), s.sent(), s.received());
    }

    private static String clock(Duration d) {
        return d.isNegative() ? "before" : String.format(Locale.ROOT, "%d:%02d", d.toMinutes(), d.toSecondsPart());
    }
}
