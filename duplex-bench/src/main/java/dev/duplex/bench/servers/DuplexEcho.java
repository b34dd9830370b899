package dev.duplex.bench.servers;

import dev.duplex.Compression;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.OriginPolicy;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocketServer;

import java.net.InetAddress;

/** Duplex's echo server: a virtual thread per connection, receive then send, as the README shows. */
public final class DuplexEcho {

    public static void main(String[] args) throws Exception {
        Launch launch = Launch.parse(args);
        ServerOptions options = ServerOptions.DEFAULT
                .withListenAddress(InetAddress.getByName(launch.host()))
                .withPort(launch.port())
                .withOriginPolicy(OriginPolicy.any())
                .withCompression(Compression.DISABLED)
                .withLimits(Limits.DEFAULT.withMaxMessageSize(Launch.MAX_MESSAGE).withMaxFrameSize(Launch.MAX_MESSAGE));
        try (WebSocketServer server = WebSocketServer.start(options, (ws, state) -> {
            for (Message m; (m = ws.receive()) != null; ) {
                ws.send(m);
            }
        })) {
            Launch.serveUntilStdinEnds(server.port());
        }
    }
}
