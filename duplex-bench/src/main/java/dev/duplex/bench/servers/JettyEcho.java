package dev.duplex.bench.servers;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Jetty 12's echo server: the Jetty WebSocket API behind a {@link WebSocketUpgradeHandler}, an auto-demanding
 * listener that sends each message back. permessage-deflate, which Jetty offers by default, is refused in the
 * creator.
 */
public final class JettyEcho {

    public static void main(String[] args) throws Exception {
        Launch launch = Launch.parse(args);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(launch.host());
        connector.setPort(launch.port());
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxTextMessageSize(Launch.MAX_MESSAGE);
            container.setMaxBinaryMessageSize(Launch.MAX_MESSAGE);
            container.setMaxFrameSize(Launch.MAX_MESSAGE);
            container.addMapping("/", (request, response, callback) -> {
                response.setExtensions(List.of());
                return new Echo();
            });
        }));
        server.start();
        try {
            Launch.serveUntilStdinEnds(connector.getLocalPort());
        } finally {
            server.stop();
        }
    }

    /** Public: Jetty calls it through its own lookup. */
    public static final class Echo implements Session.Listener.AutoDemanding {

        private Session session;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            session.sendText(message, Callback.NOOP);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            session.sendBinary(payload, callback);
        }
    }
}
