package dev.duplex.bench.servers;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/** Vert.x 5's echo server: one HTTP server on one event loop, text answered as text and binary as binary. */
public final class VertxEcho {

    public static void main(String[] args) throws Exception {
        Launch launch = Launch.parse(args);
        Vertx vertx = Vertx.vertx();
        HttpServerOptions options = new HttpServerOptions()
                .setHost(launch.host())
                .setPort(launch.port())
                .setTcpNoDelay(true)
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                .setMaxWebSocketFrameSize(Launch.MAX_MESSAGE)
                .setMaxWebSocketMessageSize(Launch.MAX_MESSAGE);
        try {
            HttpServer server = vertx.createHttpServer(options)
                    .webSocketHandler(ws -> {
                        ws.textMessageHandler(ws::writeTextMessage);
                        ws.binaryMessageHandler(ws::writeBinaryMessage);
                    })
                    .listen()
                    .await();
            Launch.serveUntilStdinEnds(server.actualPort());
        } finally {
            vertx.close().await();
        }
    }
}
