package dev.duplex.interop;

import dev.duplex.CloseStatus;
import dev.duplex.HandshakeRequest;
import dev.duplex.Message;
import dev.duplex.ServerOptions;
import dev.duplex.Upgrade;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Duplex's own echo server on 127.0.0.1, for the peer clients: the same behaviour as the peers' echo servers.
 *
 * <p>Its handler echoes every message with the type it came with. The text message {@code close:CODE:REASON} makes
 * it start the closing handshake with that status; {@code ping:PAYLOAD} makes it send a Ping carrying the payload's
 * UTF-8 bytes; {@code return} makes it return, which closes with 1000. Each handler records how its connection
 * ended: whether {@code receive()} returned null or threw, and the connection's {@code closeStatus()} at that point.
 * The upgrader accepts every request and records it, so a test can tell whether a handshake got that far.
 */
final class DuplexEchoServer implements AutoCloseable {

    /**
     * How one handler ended.
     *
     * @param closeStatus the connection's close status when the handler stopped receiving
     * @param failure     what {@code receive()} (or an echo) threw, or null when the stream ended cleanly
     * @param returned    whether the handler returned on the {@code return} request
     */
    record End(Optional<CloseStatus> closeStatus, Exception failure, boolean returned) {
    }

    private final WebSocketServer server;
    private final Transport transport;
    private final BlockingQueue<End> ends = new LinkedBlockingQueue<>();
    private final List<HandshakeRequest> upgrades = new CopyOnWriteArrayList<>();

    private DuplexEchoServer(ServerOptions options) throws IOException {
        this.transport = options.tls() == null ? Transport.PLAIN : Transport.TLS;
        this.server = WebSocketServer.start(options.withListenAddress(InetAddress.getByName("127.0.0.1")),
                request -> {
                    upgrades.add(request);
                    return Upgrade.accept();
                },
                (WebSocket ws, Void state) -> echo(ws));
    }

    /** An echo server with the default options: plain TCP, same-host origins, no subprotocols. */
    static DuplexEchoServer start() throws IOException {
        return new DuplexEchoServer(ServerOptions.DEFAULT);
    }

    /** An echo server with these options (TLS, subprotocols, origin policy...), listening on 127.0.0.1. */
    static DuplexEchoServer start(ServerOptions options) throws IOException {
        return new DuplexEchoServer(options);
    }

    int port() {
        return server.port();
    }

    /** {@code ws://} or {@code wss://} (as the server runs TLS or not), 127.0.0.1, its port, path /echo. */
    URI uri() {
        return URI.create(transport.scheme() + "://127.0.0.1:" + server.port() + "/echo");
    }

    /** The handshake requests that reached the upgrader, in the order they arrived. */
    List<HandshakeRequest> upgrades() {
        return List.copyOf(upgrades);
    }

    /** How the next handler to finish ended; fails if none does within the timeout. */
    End awaitEnd(Duration timeout) throws InterruptedException {
        End end = ends.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (end == null) {
            throw new AssertionError("no Duplex handler ended within " + timeout.toMillis() + " ms");
        }
        return end;
    }

    private void echo(WebSocket ws) throws IOException {
        try {
            for (Message m; (m = ws.receive()) != null; ) {
                if (m instanceof Message.Text t && t.text().startsWith("close:")) {
                    String[] request = t.text().split(":", 3);
                    ws.close(CloseStatus.of(Integer.parseInt(request[1]), request[2]));
                } else if (m instanceof Message.Text t && t.text().startsWith("ping:")) {
                    ws.ping(ByteBuffer.wrap(t.text().substring("ping:".length()).getBytes(StandardCharsets.UTF_8)));
                } else if (m instanceof Message.Text t && t.text().equals("return")) {
                    ends.add(new End(ws.closeStatus(), null, true));
                    return;
                } else {
                    ws.send(m);
                }
            }
            ends.add(new End(ws.closeStatus(), null, false));
        } catch (IOException | RuntimeException e) {
            ends.add(new End(ws.closeStatus(), e, false));
            throw e;
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
