package dev.duplex.cli;

import dev.duplex.ClientOptions;
import dev.duplex.Compression;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code duplex conformance-client}: Duplex's client driven by an Autobahn fuzzing server, as every serious
 * implementation is tested: {@code /getCaseCount} says how many cases there are, {@code /runCase?case=N&agent=A}
 * runs one (the client echoes every message until the server closes), {@code /updateReports?agent=A} writes the
 * report. The limits are raised to what the test cases send (up to 16 MiB messages in frames as small as one
 * byte); compression is offered as by default.
 */
@Command(name = "conformance-client", mixinStandardHelpOptions = true,
        description = "Run Duplex's client against an Autobahn fuzzing server (echoes every message of every case).")
final class ConformanceClient implements Callable<Integer> {

    @Option(names = "--url", defaultValue = "ws://127.0.0.1:9001",
            description = "The fuzzing server (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--agent", defaultValue = "duplex", description = "The agent name in the report (default: ${DEFAULT-VALUE}).")
    String agent;

    @Option(names = "--cases", paramLabel = "N", split = ",",
            description = "Run only these case numbers (1-based), not all.")
    int[] cases;

    /** What the Autobahn cases need: 16 MiB messages, any fragmentation, and prompt closing handshakes. */
    static final Limits LIMITS = Limits.DEFAULT.withMaxMessageSize(64 << 20).withMaxFrameSize(64 << 20)
            .withMaxFragments(Integer.MAX_VALUE).withCloseTimeout(Duration.ofSeconds(5))
            .withHandshakeTimeout(Duration.ofSeconds(10));

    static final ClientOptions OPTIONS = ClientOptions.DEFAULT.withLimits(LIMITS).withCompression(Compression.DEFAULT);

    @Override
    public Integer call() {
        PrintStream out = System.out;
        try {
            int count = caseCount(url);
            out.println("duplex: " + count + " cases at " + url);
            if (cases == null) {
                for (int i = 1; i <= count; i++) {
                    runCase(url, i, agent);
                }
            } else {
                for (int i : cases) {
                    runCase(url, i, agent);
                }
            }
            updateReports(url, agent);
            out.println("duplex: done; reports updated for agent " + agent);
            return 0;
        } catch (IOException e) {
            System.err.println("duplex conformance-client: " + e.getMessage());
            return 1;
        }
    }

    /** {@code /getCaseCount}: the server sends the number of cases as one text message. */
    static int caseCount(URI base) throws IOException {
        try (WebSocket ws = WebSocket.connect(base.resolve("/getCaseCount"), Headers.EMPTY, OPTIONS)) {
            Message m = ws.receive();
            if (!(m instanceof Message.Text t)) {
                throw new IOException("/getCaseCount answered " + m + " instead of a number");
            }
            return Integer.parseInt(t.text().strip());
        }
    }

    /** One case: echo every message, as it came (text as text, binary as binary), until the server closes. */
    static void runCase(URI base, int number, String agent) {
        URI uri = base.resolve("/runCase?case=" + number + "&agent=" + URLEncoder.encode(agent, StandardCharsets.UTF_8));
        try (WebSocket ws = WebSocket.connect(uri, Headers.EMPTY, OPTIONS)) {
            for (Message m; (m = ws.receive()) != null; ) {
                ws.send(m);
            }
        } catch (IOException e) {
            // Many cases end in a failed connection on purpose; the fuzzing server judges what happened.
        }
    }

    /** {@code /updateReports}: the server writes its report and closes. */
    static void updateReports(URI base, String agent) throws IOException {
        URI uri = base.resolve("/updateReports?agent=" + URLEncoder.encode(agent, StandardCharsets.UTF_8));
        try (WebSocket ws = WebSocket.connect(uri, Headers.EMPTY, OPTIONS)) {
            while (ws.receive() != null) {
                // nothing is expected but the close
            }
        }
    }
}
