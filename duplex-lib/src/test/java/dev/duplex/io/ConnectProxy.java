package dev.duplex.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy for tests that knows only CONNECT (RFC 9110 §9.3.6), on 127.0.0.1, port 0: each connection gets a
 * virtual thread that reads the request head, records it, answers with the status line it was built with, and on
 * 200 pipes bytes both ways between the client and the target, keeping a copy of the first 64 KiB the client sends
 * through the tunnel so that a test can see what the proxy saw.
 */
public final class ConnectProxy implements AutoCloseable {

    private static final int MAX_HEAD = 8192;
    private static final int MAX_COPY = 64 * 1024;

    /** One CONNECT request: what the client asked, and what it sent through the tunnel afterwards. */
    public static final class Tunnel {
        private final String requestLine;
        private final List<String> headerLines;
        private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

        private Tunnel(String requestLine, List<String> headerLines) {
            this.requestLine = requestLine;
            this.headerLines = List.copyOf(headerLines);
        }

        /** The request-line, such as {@code CONNECT example.com:443 HTTP/1.1}. */
        public String requestLine() {
            return requestLine;
        }

        /** The header lines of the CONNECT request, as sent. */
        public List<String> headerLines() {
            return headerLines;
        }

        /** The first 64 KiB the client sent through the tunnel so far. */
        public byte[] clientBytes() {
            synchronized (sent) {
                return sent.toByteArray();
            }
        }

        private void copy(byte[] b, int n) {
            synchronized (sent) {
                sent.write(b, 0, Math.max(0, Math.min(n, MAX_COPY - sent.size())));
            }
        }
    }

    private final ServerSocket serverSocket;
    private final String statusLine;
    private final InetSocketAddress fixedTarget;
    private final BlockingQueue<Tunnel> tunnels = new LinkedBlockingQueue<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptThread;

    private ConnectProxy(String statusLine, InetSocketAddress fixedTarget) throws IOException {
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.statusLine = statusLine;
        this.fixedTarget = fixedTarget;
        this.acceptThread = Thread.ofVirtual().name("test-proxy-accept").start(this::acceptLoop);
    }

    /** A proxy that opens every tunnel it is asked for. */
    public static ConnectProxy start() throws IOException {
        return new ConnectProxy("HTTP/1.1 200 Connection Established", null);
    }

    /**
     * A proxy that connects every tunnel to 127.0.0.1:{@code port}, whatever host and port the CONNECT named: a
     * client can then be sent to names and ports that do not exist on this machine (port 80 or 443, say).
     */
    public static ConnectProxy tunnellingEverythingTo(int port) throws IOException {
        return new ConnectProxy("HTTP/1.1 200 Connection Established",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /** A proxy that answers every CONNECT with this status line (a 407, say) and an empty body, then hangs up. */
    public static ConnectProxy refusing(String statusLine) throws IOException {
        return new ConnectProxy(statusLine, null);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), serverSocket.getLocalPort());
    }

    /** The number of TCP connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** The next CONNECT request, waiting at most {@code timeout}; null if none came. */
    public Tunnel nextTunnel(Duration timeout) throws InterruptedException {
        return tunnels.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            Socket client;
            try {
                client = serverSocket.accept();
            } catch (IOException e) {
                return;
            }
            connections.incrementAndGet();
            sockets.add(client);
            Thread.ofVirtual().name("test-proxy-conn").start(() -> serve(client));
        }
    }

    private void serve(Socket client) {
        Socket target = null;
        try {
            client.setSoTimeout((int) RawEndpoint.DEFAULT_READ_TIMEOUT.toMillis());
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            List<String> lines = readHead(in);
            Tunnel tunnel = new Tunnel(lines.getFirst(), lines.subList(1, lines.size()));
            tunnels.add(tunnel);
            if (!statusLine.startsWith("HTTP/1.1 200")) {
                out.write((statusLine + "\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return;
            }
            String[] parts = tunnel.requestLine().split(" ");
            if (parts.length != 3 || !parts[0].equals("CONNECT")) {
                out.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            InetSocketAddress to = fixedTarget != null ? fixedTarget : authority(parts[1]);
            target = new Socket();
            sockets.add(target);
            target.connect(to, 5000);
            out.write((statusLine + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            client.setSoTimeout(0);
            Socket t = target;
            Thread up = Thread.ofVirtual().name("test-proxy-up").start(() -> pipe(client, t, tunnel));
            pipe(t, client, null);
            up.join(TimeUnit.SECONDS.toMillis(30));
        } catch (IOException | RuntimeException e) {
            // the client or the target went away; the tunnel is over
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(client);
            closeQuietly(target);
        }
    }

    private static InetSocketAddress authority(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** Reads lines up to the empty one that ends an HTTP head. */
    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int total = 0; total < MAX_HEAD; total++) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the client hung up inside its request head");
            }
            if (b != '\n') {
                line.write(b);
                continue;
            }
            String s = line.toString(StandardCharsets.ISO_8859_1);
            line.reset();
            if (s.endsWith("\r")) {
                s = s.substring(0, s.length() - 1);
            }
            if (s.isEmpty()) {
                return lines;
            }
            lines.add(s);
        }
        throw new IOException("request head longer than " + MAX_HEAD + " bytes");
    }

    /** Copies from one socket to the other until the end of stream, then passes the end on. */
    private static void pipe(Socket from, Socket to, Tunnel record) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (record != null) {
                    record.copy(buffer, n);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        try {
            acceptThread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether {@code needle} occurs in {@code haystack}: for checking what went through a tunnel. */
    public static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return "ConnectProxy[" + address() + ", " + statusLine + (fixedTarget == null ? "" : ", to " + fixedTarget)
                + "]";
    }
}
