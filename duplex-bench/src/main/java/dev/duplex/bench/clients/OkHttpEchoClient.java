package dev.duplex.bench.clients;

import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * OkHttp 5's WebSocket: one shared {@link OkHttpClient} (its dispatcher allowed as many connections as the run opens;
 * its default of 5 per host would hold the others back), a listener, and {@code send}, which queues.
 */
final class OkHttpEchoClient implements EchoClient {

    private final OkHttpClient client;

    OkHttpEchoClient() {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(100_000);
        dispatcher.setMaxRequestsPerHost(100_000);
        client = new OkHttpClient.Builder().dispatcher(dispatcher).build();
    }

    @Override
    public EchoSession open(URI uri, int id, Tally tally) throws Exception {
        Session session = new Session(id, tally);
        Request request = new Request.Builder().url(uri.toString()).build();
        session.ws = client.newWebSocket(request, session.listener);
        session.opened.get(30, TimeUnit.SECONDS);
        return session;
    }

    @Override
    public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    private static final class Session extends EchoSession {

        private final CompletableFuture<Void> opened = new CompletableFuture<>();
        private volatile WebSocket ws;

        private final WebSocketListener listener = new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                opened.complete(null);
            }

            @Override
            public void onMessage(WebSocket webSocket, String text) {
                received(text);
            }

            @Override
            public void onClosed(WebSocket webSocket, int code, String reason) {
                ended();
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                opened.completeExceptionally(t);
                failed(t);
            }
        };

        Session(int id, Tally tally) {
            super(id, tally);
        }

        @Override
        protected void transmit(String text) {
            if (!ws.send(text)) {
                throw new IllegalStateException("session " + id + ": OkHttp refused a message (closed or queue full)");
            }
        }

        @Override
        public void startClose() {
            ws.close(1000, null);
        }
    }
}
