package dev.duplex.bench.clients;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * Jetty 12's WebSocket client: one shared {@link WebSocketClient}, an auto-demanding listener, and
 * {@code sendText} with a callback (Jetty queues sends, so several may be outstanding).
 */
final class JettyEchoClient implements EchoClient {

    private final WebSocketClient client = new WebSocketClient();

    JettyEchoClient() throws Exception {
        client.start();
    }

    @Override
    public EchoSession open(URI uri, int id, Tally tally) throws Exception {
        JettySession session = new JettySession(id, tally);
        session.session = client.connect(session, uri).get(30, TimeUnit.SECONDS);
        return session;
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }

    /** Public: Jetty inspects the listener's class. */
    public static final class JettySession extends EchoSession implements Session.Listener.AutoDemanding {

        private volatile Session session;

        JettySession(int id, Tally tally) {
            super(id, tally);
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            received(message);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            ended();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            failed(cause);
        }

        @Override
        protected void transmit(String text) {
            session.sendText(text, Callback.from(() -> { }, this::failed));
        }

        @Override
        public void startClose() {
            session.close(1000, null, Callback.NOOP);
        }
    }
}
