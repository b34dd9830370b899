package dev.duplex.cli;

import dev.duplex.Compression;
import dev.duplex.Framing;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.OriginPolicy;
import dev.duplex.ServerOptions;
import dev.duplex.Tls;
import dev.duplex.Upgrade;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code duplex serve}: the specification's example, an echo server that answers each handshake with the request's
 * {@code Origin} as {@code Sec-WebSocket-Origin} and its own URL as {@code Sec-WebSocket-Location}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the echo example: every message is sent back as it came.")
final class Serve implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--echo",
            description = "A plain echo server for conformance suites (Autobahn): no Origin/Location headers, any "
                    + "origin, messages not printed, and limits raised to what the suites send (64 MiB messages, "
                    + "any number of fragments).")
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

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve wss:// with this certificate chain (PEM).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The private key of --tls-cert (PEM, unencrypted).")
    Path tlsKey;

    @Option(names = "--keystore", paramLabel = "P12", description = "Serve wss:// with this PKCS#12 keystore.")
    Path keystore;

    @Option(names = "--keystore-password", defaultValue = "", description = "Password of --keystore.")
    String keystorePassword;

    @Option(names = "--subprotocol", paramLabel = "NAME",
            description = "A subprotocol this server speaks, most preferred first; repeatable.")
    List<String> subprotocols = new ArrayList<>();

    @Option(names = "--origin", paramLabel = "ORIGIN",
            description = "A browser origin allowed besides the server's own host (scheme://host[:port]), or '*' "
                    + "for any; repeatable. Others get 403.")
    List<String> origins = new ArrayList<>();

    @Option(names = "--no-compression", description = "Decline permessage-deflate.")
    boolean noCompression;

    @Option(names = "--compression-context-takeover",
            description = "Let both sides keep their deflate context between messages: better compression, about "
                    + "300 KiB of native memory per connection.")
    boolean contextTakeover;

    @Option(names = "--compression-window-bits", paramLabel = "8-15", defaultValue = "15",
            description = "The server compressor's window: 2^N bytes (default: ${DEFAULT-VALUE}).")
    int windowBits;

    @Option(names = "--ping-interval", paramLabel = "DURATION",
            description = "Ping a client after this long without hearing from it, ISO-8601 (e.g. PT30S); a client "
                    + "that then stays silent for 10 s is closed with 1011.")
    Duration pingInterval;

    private static void print(Message m) {
        switch (m) {
            case Message.Text t -> System.out.println(t.text());
            case Message.Binary b -> System.out.println(Connect.describe(b));
        }
        System.out.flush();
    }

    private SSLContext tls() throws IOException, GeneralSecurityException {
        if (keystore != null) {
            if (tlsCert != null || tlsKey != null) {
                throw new ParameterException(spec.commandLine(), "use --keystore or --tls-cert/--tls-key, not both");
            }
            return Tls.serverContext(keystore, keystorePassword.toCharArray());
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
        }
        return tlsCert == null ? null : Tls.serverContext(tlsCert, tlsKey);
    }

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        Limits limits = echo ? ConformanceClient.LIMITS : Limits.DEFAULT.withMaxMessageSize(maxMessageSize)
                .withMaxFrameSize(Math.max(maxMessageSize, Limits.DEFAULT.maxFrameSize()));
        boolean printMessages = !quiet && !echo;
        ServerOptions options = ServerOptions.DEFAULT
                .withListenAddress(InetAddress.getByName(host))
                .withPort(port)
                .withBacklog(backlog)
                .withIdleTimeout(idleTimeout)
                .withLimits(limits)
                .withFraming(framing)
                .withTls(tls())
                .withOriginPolicy(echo && origins.isEmpty() ? OriginPolicy.any()
                        : OriginPolicy.sameHostOr(origins.toArray(String[]::new)))
                .withSubprotocols(subprotocols.toArray(String[]::new))
                .withPingInterval(pingInterval)
                .withCompression(noCompression ? Compression.DISABLED
                        : Compression.LOW_MEMORY.withContextTakeover(contextTakeover, contextTakeover)
                                .withMaxWindowBits(windowBits, 15));
        String scheme = options.tls() == null ? "ws" : "wss";
        WebSocketServer server = WebSocketServer.start(options,
                request -> {
                    if (echo) {
                        return Upgrade.accept(Headers.EMPTY, request.startLine());
                    }
                    // The spec's example: the hixie-era handshake wants the origin and location echoed.
                    String origin = request.headers().first("Origin").orElse("");
                    String location = scheme + "://" + request.headers().first("Host").orElseThrow()
                            + request.target();
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
                            if (printMessages) {
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
        System.out.println("duplex: serving " + (echo ? "a plain echo" : "the echo example") + " on " + scheme + "://" + shownHost + ":" + server.port() + "/");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
