package dev.duplex.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JVM that a benchmark driver starts: the same {@code java} and class path as the driver, pinned to one CPU with
 * {@code taskset} when it can be, standard output read line by line, standard error kept in a log file. Standard
 * input stays open: the echo servers stop when it ends. {@link #close()} ends the process and waits for it.
 */
final class ChildJvm implements AutoCloseable {

    private static final String EOF = new String("end of output");
    private static final Path TASKSET = Path.of("/usr/bin/taskset");

    private final Process process;
    private final Path log;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.reader = Thread.ofPlatform().daemon().name("child-stdout-" + process.pid()).start(this::readLines);
    }

    /** Whether pinning works here: taskset exists and there are at least two CPUs. */
    static boolean canPin() {
        return Files.isExecutable(TASKSET) && Runtime.getRuntime().availableProcessors() >= 2;
    }

    /**
     * Starts {@code mainClass} with {@code args}, pinned to {@code cpu} (or unpinned when {@code cpu} is negative),
     * with {@code jvmOptions} before the class.
     */
    static ChildJvm start(int cpu, List<String> jvmOptions, String mainClass, List<String> args, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        if (cpu >= 0) {
            command.addAll(List.of(TASKSET.toString(), "-c", Integer.toString(cpu)));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                .start();
        return new ChildJvm(process, log);
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(line);
                Files.writeString(log, "stdout: " + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
        } catch (IOException ignored) {
            // The process went away; the EOF marker below says so.
        } finally {
            lines.add(EOF);
        }
    }

    /** Waits for the first line of standard output that {@code wanted} accepts; empty at its end or the timeout. */
    Optional<String> awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null || line == EOF) {
                if (line == EOF) {
                    lines.add(EOF);
                }
                return Optional.empty();
            }
            if (wanted.test(line)) {
                return Optional.of(line);
            }
        }
    }

    /**
     * Collects standard output until the process exits, within {@code timeout} (after which it is killed).
     * Returns the lines; {@link #exitCode()} tells how it ended.
     */
    List<String> awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            lines.add("error timed out after " + timeout.toSeconds() + " s");
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        List<String> all = new ArrayList<>();
        lines.drainTo(all);
        all.removeIf(line -> line == EOF);
        return all;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** The last lines of the standard error log, to explain a failure. */
    String logTail() {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - 15), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Ends standard input (a server's signal to stop), then terminates and kills as needed, and waits. */
    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // Already gone.
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
    }
}
