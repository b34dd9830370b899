package dev.duplex.interop;

import dev.duplex.CloseStatus;
import dev.duplex.Message;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Duplex's own echo server on 127.0.0.1, for the peer clients: the same behaviour as the peers' echo servers.
 *
 * <p>Its handler echoes every message with the type it came with. The text message {@code close:CODE:REASON} makes
 * it start the closing handshake with that status; {@code return} makes it return, which closes with 1000. Each
 * handler records how its connection ended: whether {@code receive()} returned null or threw, and the connection's
 * {@code closeStatus()} at that point.
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
    private final BlockingQueue<End> ends = new LinkedBlockingQueue<>();

    private DuplexEchoServer() throws IOException {
        ServerOptions options = ServerOptions.DEFAULT.withListenAddress(InetAddress.getByName("127.0.0.1"));
        this.server = WebSocketServer.start(options, (WebSocket ws, Void state) -> echo(ws));
    }

    static DuplexEchoServer start() throws IOException {
        return new DuplexEchoServer();
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + server.port() + "/echo");
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
