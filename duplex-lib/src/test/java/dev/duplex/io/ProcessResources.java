package dev.duplex.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What this process holds that a leak would grow: Duplex's threads (virtual ones included), open file descriptors,
 * resident memory and live heap. Linux only for the last three kinds ({@code /proc/self}); {@link #hasProcFs()} says
 * whether they can be read.
 */
final class ProcessResources {

    private static final Path FDS = Path.of("/proc/self/fd");
    private static final Pattern DUPLEX_THREAD = Pattern.compile("\"name\": \"(duplex-[^\"]*)\"");

    private ProcessResources() {
    }

    static boolean hasProcFs() {
        return Files.isDirectory(FDS);
    }

    /**
     * The names of the live threads whose names start with {@code duplex-}, virtual ones included. Names with an id
     * ({@code duplex-read-17}) are unique; a few ({@code duplex-shutdown}) are not, so this is a list, one entry per
     * thread.
     *
     * <p>The threads are listed from the JDK's thread containers (the build opens {@code jdk.internal.vm} to the
     * tests), which lists virtual threads without looking at their stacks. A JSON thread dump
     * ({@code HotSpotDiagnosticMXBean.dumpThreads}) lists them too, and is the fallback when the package is not
     * open; but on JDK 25 it can crash the VM when a virtual thread mounts or unmounts while its stack is read
     * (JDK-8364343, SIGSEGV in {@code stackChunkOopDesc::sender}), which a suite full of virtual threads hits.
     */
    static List<String> duplexThreads() {
        List<String> names = new ArrayList<>();
        try {
            Class<?> containers = Class.forName("jdk.internal.vm.ThreadContainers");
            Object root = containers.getMethod("root").invoke(null);
            collectDuplexThreads(root, names, 0);
            return names;
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException | ClassNotFoundException | NoSuchMethodException e) {
            return duplexThreadsFromDump();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds the duplex threads of a thread container and its descendants. */
    private static void collectDuplexThreads(Object container, List<String> names, int depth)
            throws ReflectiveOperationException {
        if (depth > 100) {
            return;
        }
        Class<?> type = Class.forName("jdk.internal.vm.ThreadContainer");
        @SuppressWarnings("unchecked")
        Stream<Thread> threads = (Stream<Thread>) type.getMethod("threads").invoke(container);
        threads.filter(t -> t.isAlive() && t.getName().startsWith("duplex-")).forEach(t -> names.add(t.getName()));
        @SuppressWarnings("unchecked")
        Stream<Object> children = (Stream<Object>) type.getMethod("children").invoke(container);
        for (Object child : children.toList()) {
            collectDuplexThreads(child, names, depth + 1);
        }
    }

    private static List<String> duplexThreadsFromDump() {
        try {
            Path dir = Files.createTempDirectory("duplex-threads");
            Path file = dir.resolve("dump.json");
            try {
                dumpThreadsAsJson(file);
                Matcher m = DUPLEX_THREAD.matcher(Files.readString(file));
                List<String> names = new ArrayList<>();
                while (m.find()) {
                    names.add(m.group(1));
                }
                return names;
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code HotSpotDiagnosticMXBean.dumpThreads(file, ThreadDumpFormat.JSON)}, called reflectively: the tests
     * compile inside module dev.duplex, which (rightly) does not read java.management or jdk.management, while at
     * run time they are on the class path, where every module is readable.
     */
    private static void dumpThreadsAsJson(Path file) throws IOException {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Class<?> bean = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            @SuppressWarnings({"unchecked", "rawtypes"})
            Class<Enum> format = (Class<Enum>) Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
            Object mxBean = factory.getMethod("getPlatformMXBean", Class.class).invoke(null, bean);
            @SuppressWarnings("unchecked")
            Object json = Enum.valueOf(format, "JSON");
            bean.getMethod("dumpThreads", String.class, format).invoke(mxBean, file.toString(), json);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JDK has no HotSpotDiagnosticMXBean.dumpThreads", e);
        }
    }

    static long openFileDescriptors() {
        try (Stream<Path> list = Files.list(FDS)) {
            return list.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Resident memory in KiB. The build runs the tests with a fixed heap touched up front (-Xms = -Xmx,
     * AlwaysPreTouch), so what moves is memory outside the heap: malloc'd memory (zlib streams), thread stacks.
     */
    static long residentKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no VmRSS in /proc/self/status");
    }

    /** CPU time this process has used, user and system, from {@code /proc/self/stat} (clock ticks of 10 ms). */
    static Duration cpuTime() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // The command name is in parentheses and may hold spaces; the fields after it are plain.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
            return Duration.ofMillis(ticks * 10);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes of heap in use after a full collection: what is still reachable. */
    static long heapUsedAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        // A second collection picks up what the first one's finalization and reference processing freed.
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }

    /** Samples {@code value} until {@code done} accepts it or {@code timeout} has passed; returns the last sample. */
    static <T> T pollUntil(Supplier<T> value, Predicate<T> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T v = value.get();
        for (int i = 0; i < 10_000 && !done.test(v) && System.nanoTime() - deadline < 0; i++) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            v = value.get();
        }
        return v;
    }
}
