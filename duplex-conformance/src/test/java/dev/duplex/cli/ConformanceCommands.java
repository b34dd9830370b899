package dev.duplex.cli;

import dev.duplex.Compression;
import dev.duplex.Framing;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.OriginPolicy;
import dev.duplex.ServerOptions;
import dev.duplex.Upgrade;
import dev.duplex.Headers;
import dev.duplex.WebSocketServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;

/**
 * The two commands the conformance suite drives, reached in-process: {@code duplex conformance-client}
 * ({@link ConformanceClient}, package-private, hence this class in its package) and {@code duplex serve --echo}.
 *
 * <p>{@link #startEchoServer()} builds the server {@code Serve.call()} builds for {@code serve --echo} with its
 * defaults (127.0.0.1, port 0 instead of 8080, backlog 128, idle timeout 1 h, RFC 6455, no TLS, any origin, no
 * subprotocols, no keepalive, permessage-deflate without context takeover and 15-bit windows), because
 * {@code Serve.call()} itself parks until the JVM shuts down. A change to those options in {@code Serve} must be
 * made here too.
 */
public final class ConformanceCommands {

    /** {@link ConformanceClient#LIMITS}: what {@code serve --echo} and {@code conformance-client} both use. */
    public static final Limits LIMITS = ConformanceClient.LIMITS;

    private ConformanceCommands() {
    }

    /** {@code /getCaseCount}, as {@code duplex conformance-client} asks it. */
    public static int caseCount(URI fuzzingServer) throws IOException {
        return ConformanceClient.caseCount(fuzzingServer);
    }

    /** {@code /runCase?case=N&agent=A}: Duplex's client echoes every message until the fuzzing server closes. */
    public static void runCase(URI fuzzingServer, int number, String agent) {
        ConformanceClient.runCase(fuzzingServer, number, agent);
    }

    /** {@code /updateReports?agent=A}. */
    public static void updateReports(URI fuzzingServer, String agent) throws IOException {
        ConformanceClient.updateReports(fuzzingServer, agent);
    }

    /** The options of {@code duplex serve --echo --port 0}. */
    public static ServerOptions echoServerOptions() throws IOException {
        return ServerOptions.DEFAULT
                .withListenAddress(InetAddress.getByName("127.0.0.1"))
                .withPort(0)
                .withBacklog(128)
                .withIdleTimeout(Duration.ofHours(1))
                .withLimits(LIMITS)
                .withFraming(Framing.RFC6455)
                .withTls(null)
                .withOriginPolicy(OriginPolicy.any())
                .withSubprotocols()
                .withPingInterval(null)
                .withCompression(Compression.LOW_MEMORY.withContextTakeover(false, false).withMaxWindowBits(15, 15));
    }

    /** {@code duplex serve --echo --port 0}: every message is sent back as it came, until the peer closes. */
    public static WebSocketServer startEchoServer() throws IOException {
        return startEchoServer(echoServerOptions());
    }

    /** The same echo handler with other options (say, {@code --compression-context-takeover}). */
    public static WebSocketServer startEchoServer(ServerOptions options) throws IOException {
        return WebSocketServer.start(options,
                request -> Upgrade.accept(Headers.EMPTY, request.startLine()),
                (ws, startLine) -> {
                    for (Message m; (m = ws.receive()) != null; ) {
                        ws.send(m);
                    }
                });
    }
}
