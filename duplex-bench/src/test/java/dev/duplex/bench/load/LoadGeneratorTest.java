package dev.duplex.bench.load;

import dev.duplex.Compression;
import dev.duplex.Message;
import dev.duplex.OriginPolicy;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocketServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The load generator checks every echo: a server that gets one wrong fails the run. */
class LoadGeneratorTest {

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void anEchoServerThatAnswersCorrectlyPassesAndEveryEchoIsCounted() throws Exception {
        try (WebSocketServer server = echoServer(-1)) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            int status = LoadGenerator.run(options(server.port(), Scenario.ECHO_16), print(printed));

            String output = printed.toString(StandardCharsets.UTF_8);
            assertThat(status).as(output).isZero();
            assertThat(output).containsPattern("run 1 [0-9.]+").containsPattern("checked [1-9][0-9]* 0 0 0");
        }
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void oneCorruptedByteInOneEchoFailsTheRun() throws Exception {
        try (WebSocketServer server = echoServer(500)) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            int status = LoadGenerator.run(options(server.port(), Scenario.ECHO_16), print(printed));

            assertThat(status).isEqualTo(1);
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("error ", "differs from what was sent");
        }
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void handshakesRunTheOpeningAndClosingHandshakes() throws Exception {
        try (WebSocketServer server = echoServer(-1)) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            int status = LoadGenerator.run(options(server.port(), Scenario.HANDSHAKES), print(printed));

            String output = printed.toString(StandardCharsets.UTF_8);
            assertThat(status).as(output).isZero();
            assertThat(output).containsPattern("checked 0 [1-9][0-9]* 0 0");
        }
    }

    /** An echo server that flips the last byte of its {@code corrupt}-th message (none when negative). */
    private static WebSocketServer echoServer(int corrupt) throws Exception {
        AtomicInteger count = new AtomicInteger();
        ServerOptions options = ServerOptions.DEFAULT.withListenAddress(InetAddress.getLoopbackAddress())
                .withOriginPolicy(OriginPolicy.any()).withCompression(Compression.DISABLED);
        return WebSocketServer.start(options, (ws, state) -> {
            for (Message m; (m = ws.receive()) != null; ) {
                if (count.incrementAndGet() == corrupt && m instanceof Message.Text t) {
                    String s = t.text();
                    m = Message.text(s.substring(0, s.length() - 1) + (s.endsWith("a") ? "b" : "a"));
                }
                ws.send(m);
            }
        });
    }

    private static LoadGenerator.Options options(int port, Scenario scenario) {
        return new LoadGenerator.Options(port, scenario, 4, 100, 300, 1, -1);
    }

    private static PrintStream print(ByteArrayOutputStream into) {
        return new PrintStream(into, true, StandardCharsets.UTF_8);
    }
}
