package dev.duplex.bench.clients;

import java.net.URI;
import java.util.List;

/**
 * A client library under test: it opens {@link EchoSession}s to the echo server, each as its documentation shows,
 * and shares whatever the library shares between connections (an {@code HttpClient}, a thread pool).
 */
public interface EchoClient extends AutoCloseable {

    /** The clients the benchmark compares, Duplex first. */
    List<String> IDS = List.of("duplex", "jdk", "okhttp", "jetty");

    /** Opens a connection, blocking until the opening handshake is over. */
    EchoSession open(URI uri, int id, Tally tally) throws Exception;

    @Override
    void close() throws Exception;

    static EchoClient of(String id) throws Exception {
        return switch (id) {
            case "duplex" -> new DuplexEchoClient();
            case "jdk" -> new JdkEchoClient();
            case "okhttp" -> new OkHttpEchoClient();
            case "jetty" -> new JettyEchoClient();
            default -> throw new IllegalArgumentException("no client " + id + "; the clients are " + String.join(",", IDS));
        };
    }

    static String title(String id) {
        return switch (id) {
            case "duplex" -> "Duplex";
            case "jdk" -> "JDK HttpClient";
            case "okhttp" -> "OkHttp 5";
            case "jetty" -> "Jetty 12";
            default -> id;
        };
    }
}
