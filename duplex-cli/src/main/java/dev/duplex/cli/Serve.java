package dev.duplex.cli;

import dev.duplex.Framing;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.ServerOptions;
import dev.duplex.Upgrade;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code duplex serve}: the specification's example, an echo server that answers each handshake with the request's
 * {@code Origin} as {@code Sec-WebSocket-Origin} and its own URL as {@code Sec-WebSocket-Location}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the echo example: every message is sent back as it came.")
final class Serve implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--echo", defaultValue = "true",
            description = "Echo every message back; the only behaviour of serve for now, the spec's example.")
    boolean echo;

    @Option(names = "--framing", defaultValue = "rfc6455", paramLabel = "rfc6455|old|new",
            description = "Legacy framing for hixie-76 clients (old or new); RFC 6455 clients are always served "
                    + "(default: ${DEFAULT-VALUE}, hixie-76 refused).")
    Framing framing;

    @Option(names = "--backlog", defaultValue = "128", description = "TCP listen backlog (default: ${DEFAULT-VALUE}).")
    int backlog;

    @Option(names = "--idle-timeout", defaultValue = "PT1H",
            description = "Close connections idle this long, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--max-message-size", defaultValue = "1048576",
            description = "Largest message accepted, in bytes (default: ${DEFAULT-VALUE}).")
    int maxMessageSize;

    @Option(names = {"-q", "--quiet"}, description = "Print neither the messages (stdout) nor the connections (stderr).")
    boolean quiet;

    private static void print(Message m) {
        switch (m) {
            case Message.Text t -> System.out.println(t.text());
            case Message.Binary b -> System.out.println(Connect.describe(b));
        }
        System.out.flush();
    }

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        Limits limits = Limits.DEFAULT.withMaxMessageSize(maxMessageSize)
                .withMaxFrameSize(Math.max(maxMessageSize, Limits.DEFAULT.maxFrameSize()));
        ServerOptions options = ServerOptions.DEFAULT
                .withListenAddress(InetAddress.getByName(host))
                .withPort(port)
                .withBacklog(backlog)
                .withIdleTimeout(idleTimeout)
                .withLimits(limits)
                .withFraming(framing);
        WebSocketServer server = WebSocketServer.start(options,
                request -> {
                    // The spec's example: the hixie-era handshake wants the origin and location echoed.
                    String origin = request.headers().first("Origin").orElse("");
                    String location = "ws://" + request.headers().first("Host").orElseThrow() + request.target();
                    return Upgrade.accept(Headers.of(
                            "Sec-WebSocket-Origin", origin,
                            "Sec-WebSocket-Location", location), request.startLine());
                },
                (WebSocket ws, String startLine) -> {
                    if (!quiet) {
                        err.println("duplex: " + ws.remoteAddress() + " opened: " + startLine);
                    }
                    try {
                        for (Message m; (m = ws.receive()) != null; ) {
                            if (!quiet) {
                                print(m); // the spec's example prints every message it echoes
                            }
                            ws.send(m);
                        }
                    } finally {
                        if (!quiet) {
                            err.println("duplex: " + ws.remoteAddress() + " closed: "
                                    + ws.closeStatus().map(Object::toString).orElse("open"));
                        }
                    }
                });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "duplex-shutdown"));
        String shownHost = host.contains(":") ? "[" + host + "]" : host;
        System.out.println("duplex: serving the echo example on ws://" + shownHost + ":" + server.port() + "/");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
