package dev.duplex.bench.servers;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

/**
 * Helidon 4 SE's echo server, the virtual-thread anchor: Helidon's WebServer runs each connection on its own virtual
 * thread. The listener is the echo of Helidon's WebSocket guide: each part is sent back as it arrives.
 */
public final class HelidonEcho {

    public static void main(String[] args) throws Exception {
        Launch launch = Launch.parse(args);
        WebServer server = WebServer.builder()
                .host(launch.host())
                .port(launch.port())
                .connectionOptions(socket -> socket.tcpNoDelay(true))
                .addRouting(WsRouting.builder().endpoint("/", new Echo()))
                .build()
                .start();
        try {
            Launch.serveUntilStdinEnds(server.port());
        } finally {
            server.stop();
        }
    }

    private static final class Echo implements WsListener {

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            session.send(text, last);
        }

        @Override
        public void onMessage(WsSession session, BufferData buffer, boolean last) {
            session.send(buffer, last);
        }
    }
}
