package dev.duplex.bench.load;

import dev.duplex.bench.servers.DuplexEcho;
import dev.duplex.bench.servers.HelidonEcho;
import dev.duplex.bench.servers.JavaWebSocketEcho;
import dev.duplex.bench.servers.JettyEcho;
import dev.duplex.bench.servers.NettyEcho;
import dev.duplex.bench.servers.UndertowEcho;
import dev.duplex.bench.servers.VertxEcho;

import java.util.Arrays;
import java.util.List;

/** The echo servers the load benchmark compares: Duplex and its peers, each a main class in the servers package. */
public enum EchoServer {
    DUPLEX("duplex", "Duplex", DuplexEcho.class),
    NETTY("netty", "Netty 4.2", NettyEcho.class),
    VERTX("vertx", "Vert.x 5", VertxEcho.class),
    UNDERTOW("undertow", "Undertow 2.4", UndertowEcho.class),
    HELIDON("helidon", "Helidon 4", HelidonEcho.class),
    JETTY("jetty", "Jetty 12", JettyEcho.class),
    JAVA_WEBSOCKET("java-websocket", "Java-WebSocket 1.6", JavaWebSocketEcho.class);

    private final String id;
    private final String title;
    private final Class<?> mainClass;

    EchoServer(String id, String title, Class<?> mainClass) {
        this.id = id;
        this.title = title;
        this.mainClass = mainClass;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    public String mainClass() {
        return mainClass.getName();
    }

    public static List<EchoServer> parse(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(id -> Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no server " + id + "; the servers are "
                                + String.join(",", Arrays.stream(values()).map(EchoServer::id).toList()))))
                .toList();
    }
}
