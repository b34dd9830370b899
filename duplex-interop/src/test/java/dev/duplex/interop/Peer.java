package dev.duplex.interop;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A peer WebSocket implementation as two programs, an echo server and a scripted client, both following the line
 * protocol written at the top of the scripts in {@code node/} and {@code python/}.
 *
 * @param name              the peer's name, for failure messages
 * @param directory         the directory its programs run in
 * @param echoServerCommand the command that starts its echo server; options are appended
 * @param clientCommand     the command that runs its scripted client; options, the URL and the steps are appended
 */
record Peer(String name, Path directory, List<String> echoServerCommand, List<String> clientCommand) {

    /** duplex-interop, where node/ and python/ are: set by the build. */
    static final Path INTEROP_DIR = Path.of(System.getProperty("duplex.interop.dir", "")).toAbsolutePath();

    /**
     * Node's ws, with the version locked in {@code node/package-lock.json} ({@code npm ci} installs it). A missing
     * {@code node} or {@code ws} fails the tests: CI installs both.
     */
    static final Peer NODE_WS = new Peer("Node ws", INTEROP_DIR.resolve("node"),
            List.of("node", "echo-server.js"), List.of("node", "client.js"));

    /**
     * Python websockets (the asyncio API of 10.x) on {@code /usr/bin/python3}, the interpreter Debian's
     * {@code python3-websockets} installs into; a {@code python3} earlier on the PATH may not have it. A missing
     * interpreter or package fails the tests: CI installs both.
     */
    static final Peer PYTHON_WEBSOCKETS = new Peer("Python websockets", INTEROP_DIR.resolve("python"),
            List.of("/usr/bin/python3", "-u", "echo_server.py"), List.of("/usr/bin/python3", "-u", "client.py"));

    /** Starts the echo server with these options; the caller closes the process. */
    PeerProcess startEchoServer(List<String> options) {
        List<String> command = new ArrayList<>(echoServerCommand);
        command.addAll(options);
        return PeerProcess.start(name + " echo server", directory, command);
    }

    /** Waits for the echo server's first line, "listening PORT", and returns the port. */
    static int awaitListening(PeerProcess server, Duration timeout) {
        String line = server.nextLine(timeout);
        if (!line.matches("listening \\d+")) {
            throw server.failure("printed \"" + line + "\" instead of \"listening PORT\"");
        }
        return Integer.parseInt(line.substring("listening ".length()));
    }

    /**
     * Runs the client with these options against {@code uri}, waits for it to exit, and returns every line it
     * printed; the process is gone when this returns.
     *
     * @throws AssertionError the client exited with a failure (its stderr says which step), or ran past the timeout
     */
    List<String> runClient(List<String> options, URI uri, List<String> steps, Duration timeout) throws Exception {
        List<String> command = new ArrayList<>(clientCommand);
        command.addAll(options);
        command.add(uri.toString());
        command.addAll(steps);
        try (PeerProcess client = PeerProcess.start(name + " client", directory, command)) {
            client.closeStdin();
            int exit = client.awaitExit(timeout);
            List<String> lines = client.remainingLines();
            if (exit != 0) {
                throw client.failure("failed");
            }
            return lines;
        }
    }
}
