package dev.duplex.bench.servers;

import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

/** Java-WebSocket's echo server (TooTallNate): the library's example server, sending each message back. */
public final class JavaWebSocketEcho {

    public static void main(String[] args) throws Exception {
        Launch launch = Launch.parse(args);
        CountDownLatch started = new CountDownLatch(1);
        WebSocketServer server = new WebSocketServer(new InetSocketAddress(launch.host(), launch.port())) {
            @Override
            public void onOpen(WebSocket conn, ClientHandshake handshake) {
            }

            @Override
            public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            }

            @Override
            public void onMessage(WebSocket conn, String message) {
                conn.send(message);
            }

            @Override
            public void onMessage(WebSocket conn, ByteBuffer message) {
                conn.send(message);
            }

            @Override
            public void onError(WebSocket conn, Exception ex) {
            }

            @Override
            public void onStart() {
                started.countDown();
            }
        };
        server.setReuseAddr(true);
        server.setTcpNoDelay(true);
        server.start();
        started.await();
        try {
            Launch.serveUntilStdinEnds(server.getPort());
        } finally {
            server.stop(1000);
        }
    }
}
