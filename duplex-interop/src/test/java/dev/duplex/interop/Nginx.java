package dev.duplex.interop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's nginx ({@code /usr/sbin/nginx}, package nginx-light) as a WebSocket reverse proxy in front of one
 * upstream on 127.0.0.1: one process ({@code daemon off; master_process off}) whose configuration, pid file, temp
 * directories and logs all live in a directory the test owns, so it needs no root and leaves nothing behind.
 *
 * <p>It listens on two free loopback ports: {@link #port()} for plain HTTP and {@link #tlsPort()} with TLS, using a
 * {@link TestCa}'s server certificate, so that TLS ends at nginx and nginx speaks {@code ws://} to the upstream.
 * Location {@code /} forwards {@code Host $host} (the host without the port, the usual recipe); location
 * {@code /keep-port/} forwards {@code Host $http_host}, the Host exactly as the client sent it.
 *
 * <p>Its error log goes to standard output, where {@link PeerProcess} reads it: start waits for the
 * {@code getrlimit(RLIMIT_NOFILE)} notice, the last line nginx logs at start, after its sockets listen.
 */
final class Nginx implements AutoCloseable {

    private static final String NGINX = "/usr/sbin/nginx";
    private static final Duration STARTUP = Duration.ofSeconds(10);

    private final PeerProcess process;
    private final int port;
    private final int tlsPort;

    private Nginx(PeerProcess process, int port, int tlsPort) {
        this.process = process;
        this.port = port;
        this.tlsPort = tlsPort;
    }

    /** Starts nginx proxying to {@code upstreamPort} on 127.0.0.1, with its files in {@code directory}. */
    static Nginx start(Path directory, int upstreamPort, TestCa ca) throws IOException {
        if (!Files.isExecutable(Path.of(NGINX))) {
            throw new AssertionError(NGINX + " is missing: the nginx tests need Debian's nginx-light "
                    + "(apt-get install nginx-light; .ci/run installs it)");
        }
        int[] ports = freePorts();
        int port = ports[0];
        int tlsPort = ports[1];
        Path config = directory.resolve("nginx.conf");
        Files.writeString(config, config(directory, port, tlsPort, upstreamPort, ca), StandardCharsets.UTF_8);
        PeerProcess process = PeerProcess.start("nginx", directory,
                List.of(NGINX, "-p", directory + "/", "-c", config.toString(), "-e", "stderr"));
        try {
            process.awaitLineContaining("getrlimit(RLIMIT_NOFILE)", STARTUP);
        } catch (AssertionError e) {
            process.close();
            throw e;
        }
        return new Nginx(process, port, tlsPort);
    }

    /** The plain HTTP port. */
    int port() {
        return port;
    }

    /** The TLS port, serving the test CA's server certificate. */
    int tlsPort() {
        return tlsPort;
    }

    /** An assertion failure that shows what nginx logged. */
    AssertionError failure(String what) {
        return process.failure(what);
    }

    /** Stops nginx with SIGTERM (its fast shutdown) and waits for it to exit. */
    @Override
    public void close() {
        process.close();
    }

    private static String config(Path dir, int port, int tlsPort, int upstreamPort, TestCa ca) {
        return """
                daemon off;
                master_process off;
                pid %1$s/nginx.pid;
                error_log /dev/stdout notice;
                events {
                    worker_connections 64;
                }
                http {
                    access_log off;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    server {
                        listen 127.0.0.1:%2$d;
                        listen 127.0.0.1:%3$d ssl;
                        ssl_certificate %4$s;
                        ssl_certificate_key %5$s;
                %6$s%7$s    }
                }
                """.formatted(dir, port, tlsPort, ca.certificate(), ca.privateKey(),
                location("/", "$host", upstreamPort).indent(8),
                location("/keep-port/", "$http_host", upstreamPort).indent(8));
    }

    private static String location(String path, String host, int upstreamPort) {
        return """
                location %s {
                    proxy_pass http://127.0.0.1:%d;
                    proxy_http_version 1.1;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection "upgrade";
                    proxy_set_header Host %s;
                    proxy_read_timeout 60s;
                    proxy_send_timeout 60s;
                }
                """.formatted(path, upstreamPort, host);
    }

    /** Two ports that were free a moment ago; nginx cannot listen on port 0 and say which port it got. */
    private static int[] freePorts() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket first = new ServerSocket(0, 1, loopback);
             ServerSocket second = new ServerSocket(0, 1, loopback)) {
            return new int[] {first.getLocalPort(), second.getLocalPort()};
        }
    }
}
