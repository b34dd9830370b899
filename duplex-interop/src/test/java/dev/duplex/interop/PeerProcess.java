package dev.duplex.interop;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A program a test runs beside it: a peer WebSocket implementation or the duplex command.
 *
 * <p>Its standard output is read line by line (UTF-8) on a virtual thread into a queue that the test takes from
 * with a deadline; its standard error is collected in the background and shown in every failure message, so that a
 * peer that could not start (Node or Python missing, a module not installed) fails the test with the reason.
 * Standard input stays open until {@link #closeStdin()}, so a peer that exits when its input ends cannot outlive
 * the test. {@link #close()} sends SIGTERM, then SIGKILL if the program is still there after a few seconds.
 */
final class PeerProcess implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    /** Marks the end of standard output in the queue; compared by identity. */
    private static final String END = new String("<end of output>");

    private final String name;
    private final List<String> command;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> taken = new ArrayList<>();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private boolean ended;

    private PeerProcess(String name, List<String> command, Process process) {
        this.name = name;
        this.command = command;
        this.process = process;
        this.stdoutReader = Thread.ofVirtual().name(name + "-stdout").start(this::readStdout);
        this.stderrReader = Thread.ofVirtual().name(name + "-stderr").start(this::readStderr);
    }

    /**
     * Starts {@code command} in {@code directory}.
     *
     * @throws AssertionError the program could not be started, for example because it is not installed
     */
    static PeerProcess start(String name, Path directory, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
        try {
            return new PeerProcess(name, List.copyOf(command), builder.start());
        } catch (IOException e) {
            throw new AssertionError("cannot start " + name + " (" + String.join(" ", command) + ") in " + directory
                    + ": " + e.getMessage() + ". The interop tests need Node.js with duplex-interop/node's packages"
                    + " (npm ci there) and /usr/bin/python3 with Debian's python3-websockets.", e);
        }
    }

    /** Returns the next line of standard output, failing if the program ends or prints nothing before the timeout. */
    String nextLine(Duration timeout) {
        String line = poll(timeout);
        if (line == null) {
            throw failure("printed no line within " + timeout.toMillis() + " ms");
        }
        if (line == END) {
            throw failure("ended its output before printing the expected line");
        }
        taken.add(line);
        return line;
    }

    /** Returns the next line of standard output that starts with {@code prefix}, skipping others, within the timeout. */
    String awaitLine(String prefix, Duration timeout) {
        return awaitLine(line -> line.startsWith(prefix), "starting with \"" + prefix + "\"", timeout);
    }

    /** Returns the next line of standard output that contains {@code text}, skipping others, within the timeout. */
    String awaitLineContaining(String text, Duration timeout) {
        return awaitLine(line -> line.contains(text), "containing \"" + text + "\"", timeout);
    }

    private String awaitLine(Predicate<String> wanted, String description, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw failure("printed no line " + description + " within " + timeout.toMillis() + " ms");
            }
            String line = nextLine(Duration.ofNanos(left));
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    /** Writes {@code text} (UTF-8) to standard input and closes it. */
    void writeStdinAndClose(String text) throws IOException {
        try (OutputStream in = process.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    void closeStdin() throws IOException {
        process.getOutputStream().close();
    }

    /**
     * Waits for the program to exit and for its output to be read, and returns the exit code.
     *
     * @throws AssertionError it is still running after the timeout
     */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw failure("did not exit within " + timeout.toMillis() + " ms");
        }
        // The pipes close with the process; the readers then reach the end of both streams.
        stdoutReader.join(STOP_TIMEOUT);
        stderrReader.join(STOP_TIMEOUT);
        return process.exitValue();
    }

    /** Every line of standard output not yet taken; call after {@link #awaitExit}. */
    List<String> remainingLines() {
        List<String> rest = new ArrayList<>();
        for (String line; (line = lines.poll()) != null && line != END; ) {
            taken.add(line);
            rest.add(line);
        }
        return rest;
    }

    /** What the program printed on standard error so far. */
    String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    /** Sends SIGTERM ({@link Process#destroy()}). */
    void terminate() {
        process.destroy();
    }

    /** An assertion failure that names the program and shows its output, for use in a test's own checks. */
    AssertionError failure(String what) {
        if (!ended) {
            // A program whose output has ended is exiting: let it finish printing why. Do not wait on one that is
            // still printing.
            waitQuietly(stdoutReader.isAlive() ? Duration.ZERO : STOP_TIMEOUT);
        }
        String exit = process.isAlive() ? "still running" : "exit code " + process.exitValue();
        // Lines printed but not yet taken often say what went wrong ("error ..."): show them too.
        List<String> queued = new ArrayList<>();
        lines.drainTo(queued);
        if (queued.removeIf(line -> line == END)) {
            lines.add(END);
        }
        return new AssertionError(name + " " + what + " (" + exit + ")"
                + "\n  command: " + String.join(" ", command)
                + "\n  stdout lines taken so far: " + taken
                + "\n  stdout lines not taken: " + queued
                + "\n  stderr:\n" + stderr().indent(4));
    }

    /** Stops the program: SIGTERM, then SIGKILL after {@link #STOP_TIMEOUT}; waits for it either way. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String poll(Duration timeout) {
        try {
            return lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + name, e);
        }
    }

    private void waitQuietly(Duration timeout) {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stderrReader.join(timeout);
                ended = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readStdout() {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException e) {
            stderr.writeBytes(("[reading stdout failed: " + e + "]\n").getBytes(StandardCharsets.UTF_8));
        } finally {
            lines.add(END);
        }
    }

    private void readStderr() {
        try (InputStream err = process.getErrorStream()) {
            byte[] buffer = new byte[4096];
            for (int n; (n = err.read(buffer)) >= 0; ) {
                stderr.write(buffer, 0, n);
            }
        } catch (IOException e) {
            stderr.writeBytes(("[reading stderr failed: " + e + "]\n").getBytes(StandardCharsets.UTF_8));
        }
    }
}
