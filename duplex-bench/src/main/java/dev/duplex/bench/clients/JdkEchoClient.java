package dev.duplex.bench.clients;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's {@code java.net.http.WebSocket}: one shared {@link HttpClient}, a listener that gathers text parts and
 * requests one message at a time, and sends chained on the previous send's completion, as its Javadoc requires
 * ("a send ... must not be invoked until the previous one has completed").
 */
final class JdkEchoClient implements EchoClient {

    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    public EchoSession open(URI uri, int id, Tally tally) throws Exception {
        Session session = new Session(id, tally);
        session.ws = http.newWebSocketBuilder().buildAsync(uri, session.listener()).get(30, TimeUnit.SECONDS);
        return session;
    }

    @Override
    public void close() {
        http.close();
    }

    private static final class Session extends EchoSession {

        private volatile WebSocket ws;
        private final ArrayDeque<String> queue = new ArrayDeque<>();
        private boolean sending;

        Session(int id, Tally tally) {
            super(id, tally);
        }

        WebSocket.Listener listener() {
            return new WebSocket.Listener() {
                private final StringBuilder parts = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    parts.append(data);
                    if (last) {
                        received(parts);
                        parts.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                    ended();
                    return null;
                }

                @Override
                public void onError(WebSocket webSocket, Throwable error) {
                    failed(error);
                }
            };
        }

        @Override
        protected void transmit(String text) {
            synchronized (queue) {
                if (sending) {
                    queue.add(text);
                    return;
                }
                sending = true;
            }
            send(text);
        }

        private void send(String text) {
            ws.sendText(text, true).whenComplete((w, error) -> {
                if (error != null) {
                    failed(error);
                    return;
                }
                String next;
                synchronized (queue) {
                    next = queue.poll();
                    if (next == null) {
                        sending = false;
                    }
                }
                if (next != null) {
                    send(next);
                }
            });
        }

        @Override
        public void startClose() {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((w, error) -> {
                if (error != null) {
                    failed(error);
                }
            });
        }
    }
}
