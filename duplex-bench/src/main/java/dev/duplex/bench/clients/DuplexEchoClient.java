package dev.duplex.bench.clients;

import dev.duplex.ClientOptions;
import dev.duplex.Compression;
import dev.duplex.Headers;
import dev.duplex.Message;
import dev.duplex.WebSocket;

import java.io.IOException;
import java.net.URI;

/**
 * Duplex's client, used as its README shows: a blocking connect, then one virtual thread per connection that
 * receives each echo and sends the next message. Compression is off, as on every other client and the server.
 */
final class DuplexEchoClient implements EchoClient {

    private static final ClientOptions OPTIONS = ClientOptions.DEFAULT.withCompression(Compression.DISABLED);

    @Override
    public EchoSession open(URI uri, int id, Tally tally) throws IOException {
        WebSocket ws = WebSocket.connect(uri, Headers.of(), OPTIONS);
        return new Session(ws, id, tally);
    }

    @Override
    public void close() {
    }

    private static final class Session extends EchoSession {

        private final WebSocket ws;

        Session(WebSocket ws, int id, Tally tally) {
            super(id, tally);
            this.ws = ws;
            Thread.ofVirtual().name("echo-" + id).start(this::receiveLoop);
        }

        private void receiveLoop() {
            try {
                for (Message m; (m = ws.receive()) != null; ) {
                    if (m instanceof Message.Text t) {
                        received(t.text());
                    } else {
                        failed(new IllegalStateException("session " + id + ": a binary echo of a text message"));
                    }
                }
                ended();
            } catch (IOException e) {
                failed(e);
            }
        }

        @Override
        protected void transmit(String text) throws IOException {
            ws.send(text);
        }

        @Override
        public void startClose() {
            Thread.ofVirtual().name("close-" + id).start(() -> {
                try {
                    ws.close();
                } catch (IOException e) {
                    failed(e);
                }
            });
        }
    }
}
