package dev.duplex.cli;

import dev.duplex.ClientOptions;
import dev.duplex.Compression;
import dev.duplex.Framing;
import dev.duplex.Headers;
import dev.duplex.Message;
import dev.duplex.Tls;
import dev.duplex.WebSocket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code duplex connect URL}: each line of standard input becomes a text message, each message received becomes a
 * line of standard output. At the end of input the client closes with 1000 and exits 0 once the closing handshake
 * is over; on any failure it prints one line on standard error and exits non-zero.
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = "Connect to a WebSocket server: stdin lines are sent, messages received are printed.")
final class Connect implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "URL", description = "ws:// or wss:// URL.")
    URI url;

    @Option(names = {"-H", "--header"}, paramLabel = "'Name: value'", description = "Extra request header; repeatable.")
    List<String> headerLines = new ArrayList<>();

    @Option(names = "--framing", defaultValue = "rfc6455", paramLabel = "rfc6455|old|new",
            description = "Wire format: RFC 6455, or the hixie-76 handshake with the old or new framing "
                    + "(default: ${DEFAULT-VALUE}).")
    Framing framing;

    @Option(names = "--subprotocol", paramLabel = "NAME",
            description = "Offer this subprotocol, most preferred first; repeatable. The server must select one.")
    List<String> subprotocols = new ArrayList<>();

    @Option(names = "--ping-interval", paramLabel = "DURATION",
            description = "Ping the server after this long without hearing from it, ISO-8601 (e.g. PT30S).")
    Duration pingInterval;

    @Option(names = "--proxy", paramLabel = "URL|env",
            description = "Tunnel through this HTTP proxy (http://host:port), or 'env' for https_proxy, http_proxy "
                    + "and no_proxy.")
    String proxy;

    @Option(names = "--max-redirects", defaultValue = "0", description = "Redirects to follow (default: ${DEFAULT-VALUE}).")
    int maxRedirects;

    @Option(names = "--no-compression", description = "Do not offer permessage-deflate.")
    boolean noCompression;

    @Option(names = "--compression-window-bits", paramLabel = "8-15", defaultValue = "15",
            description = "Ask for deflate windows of 2^N bytes both ways (default: ${DEFAULT-VALUE}).")
    int windowBits;

    @Option(names = "--ca", paramLabel = "PEM", description = "Trust the CA certificates in this PEM file (wss://).")
    Path ca;

    @Option(names = "--insecure",
            description = "wss:// without checking the server's certificate or host name. For testing only.")
    boolean insecure;

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        WebSocket ws;
        try {
            ws = WebSocket.connect(url, headers(), options());
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return fail(e);
        }
        Thread input = Thread.ofVirtual().name("duplex-stdin").start(() -> sendLines(ws));
        try {
            for (Message m; (m = ws.receive()) != null; ) {
                switch (m) {
                    case Message.Text t -> out.println(t.text());
                    case Message.Binary b -> out.println(describe(b));
                }
                out.flush();
            }
            return 0;
        } catch (IOException e) {
            return fail(e);
        } finally {
            out.flush();
            input.interrupt();
        }
    }

    private void sendLines(WebSocket ws) {
        try (BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = stdin.readLine()) != null; ) {
                ws.send(line);
            }
            ws.close();
        } catch (IOException e) {
            // The connection ended first; the receiving side reports how.
        }
    }

    private ClientOptions options() throws IOException, GeneralSecurityException {
        ClientOptions options = ClientOptions.DEFAULT
                .withFraming(framing)
                .withSubprotocols(subprotocols.toArray(String[]::new))
                .withPingInterval(pingInterval)
                .withMaxRedirects(maxRedirects)
                .withCompression(noCompression ? Compression.DISABLED
                        : Compression.DEFAULT.withMaxWindowBits(windowBits, windowBits));
        if (insecure) {
            options = options.withTls(Insecure.context());
        } else if (ca != null) {
            options = options.withTls(Tls.trusting(ca));
        }
        if ("env".equals(proxy)) {
            options = options.withProxyFromEnvironment();
        } else if (proxy != null) {
            URI p = URI.create(proxy.contains("://") ? proxy : "http://" + proxy);
            if (p.getHost() == null) {
                throw new IllegalArgumentException("--proxy takes http://host:port or env, not " + proxy);
            }
            options = options.withProxy(InetSocketAddress.createUnresolved(p.getHost(), p.getPort() < 0 ? 80 : p.getPort()));
        }
        return options;
    }

    private Headers headers() {
        Headers headers = Headers.EMPTY;
        for (String line : headerLines) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("a header is 'Name: value', not '" + line + "'");
            }
            headers = headers.with(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }
        return headers;
    }

    /** A binary message as one line: its size and its bytes in hex. */
    static String describe(Message.Binary b) {
        return "[binary " + b.data().remaining() + " bytes] " + HexFormat.of().formatHex(b.bytes());
    }

    private static int fail(Exception e) {
        System.err.println("duplex connect: " + e.getMessage());
        return 1;
    }
}
