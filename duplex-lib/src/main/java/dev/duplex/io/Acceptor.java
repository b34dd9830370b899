package dev.duplex.io;

import dev.duplex.CloseStatus;
import dev.duplex.HandshakeRequest;
import dev.duplex.Handler;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.ServerOptions;
import dev.duplex.Upgrade;
import dev.duplex.Upgrader;
import dev.duplex.WebSocketException;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.handshake.HttpException;
import dev.duplex.protocol.handshake.HttpParser;
import dev.duplex.protocol.handshake.ServerHandshake;
import dev.duplex.protocol.handshake.ServerOpening;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link WebSocketServer} on a {@link ServerSocket}: an accept loop on a virtual thread, and one virtual thread per
 * connection for its opening handshake, upgrader and handler.
 */
public final class Acceptor<S> implements WebSocketServer {

    private static final System.Logger LOG = System.getLogger("dev.duplex");
    private static final AtomicLong IDS = new AtomicLong();
    /** How long, and how much, a refused client may still send before the socket is closed under it. */
    private static final long LINGER_MILLIS = 2000;
    private static final int LINGER_BYTES = 4 << 20;

    private final ServerSocket serverSocket;
    private final ServerOptions options;
    private final Limits limits;
    private final Upgrader<S> upgrader;
    private final Handler<S> handler;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final Set<Socket> handshaking = ConcurrentHashMap.newKeySet();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread acceptThread;

    private Acceptor(ServerSocket serverSocket, ServerOptions options, Upgrader<S> upgrader, Handler<S> handler) {
        this.serverSocket = serverSocket;
        this.options = options;
        this.limits = options.limits();
        this.upgrader = upgrader;
        this.handler = handler;
        this.acceptThread = Thread.ofVirtual().name("duplex-accept-" + serverSocket.getLocalPort()).unstarted(this::acceptLoop);
    }

    /** Binds and starts accepting; returns once the server is listening. */
    public static <S> Acceptor<S> start(ServerOptions options, Upgrader<S> upgrader, Handler<S> handler)
            throws IOException {
        ServerSocket serverSocket = new ServerSocket();
        try {
            serverSocket.setReuseAddress(true);
            serverSocket.bind(new InetSocketAddress(options.listenAddress(), options.port()), options.backlog());
        } catch (IOException e) {
            serverSocket.close();
            throw e;
        }
        Acceptor<S> acceptor = new Acceptor<>(serverSocket, options, upgrader, handler);
        acceptor.acceptThread.start();
        return acceptor;
    }

    @Override
    public int port() {
        return serverSocket.getLocalPort();
    }

    @Override
    public int connectionCount() {
        return connections.size();
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    LOG.log(System.Logger.Level.ERROR, "accept failed; the server stops accepting", e);
                }
                return;
            }
            Thread thread = Thread.ofVirtual().name("duplex-conn-" + IDS.incrementAndGet()).unstarted(() -> {
                try {
                    serve(socket);
                } finally {
                    threads.remove(Thread.currentThread());
                }
            });
            threads.add(thread);
            if (closed.get()) {
                closeQuietly(socket);
                threads.remove(thread);
                return;
            }
            thread.start();
        }
    }

    /** A connection that completed its opening handshake, with the upgrader's state and the bytes after it. */
    private record Opened<S>(Connection connection, S state, ByteBuffer leftover) {
    }

    private void serve(Socket socket) {
        handshaking.add(socket);
        Opened<S> opened;
        try {
            opened = closed.get() ? null : handshake(socket, Deadline.after(limits.handshakeTimeout()));
        } catch (IOException e) {
            // A client that went away, stalled or failed TLS during the handshake: nothing to answer.
            LOG.log(System.Logger.Level.DEBUG, "opening handshake failed: " + e);
            opened = null;
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "opening handshake failed unexpectedly", e);
            opened = null;
        } finally {
            handshaking.remove(socket);
        }
        if (opened == null) {
            closeQuietly(socket);
            return;
        }
        Connection connection = opened.connection();
        connections.add(connection);
        connection.start(opened.leftover());
        if (closed.get()) {
            // close() may have looked at the connections just before this one joined them. The client has its
            // 101 already, so it is owed a proper goodbye, not a dropped socket.
            closeQuietly(connection, CloseStatus.GOING_AWAY);
            connections.remove(connection);
            return;
        }
        try {
            handler.handle(connection, opened.state());
            connection.close(CloseStatus.NORMAL_CLOSURE);
        } catch (Throwable t) {
            if (t instanceof WebSocketException) {
                // The connection failed under the handler; the failure is already the client's answer.
                LOG.log(System.Logger.Level.DEBUG, "connection ended: " + t.getMessage());
            } else {
                LOG.log(System.Logger.Level.WARNING, "the handler threw; closing with 1011", t);
            }
            closeQuietly(connection, CloseStatus.INTERNAL_ERROR);
        } finally {
            connections.remove(connection);
        }
    }

    /**
     * Runs the opening handshake under the handshake timeout: TLS, the request, the origin policy, the upgrader, the
     * response. Returns null when the request was refused (the refusal has been written).
     */
    private Opened<S> handshake(Socket plain, Deadline deadline) throws IOException {
        HandshakeGuard guard = HandshakeGuard.start(plain, deadline);
        try {
            return handshake(plain, deadline, guard);
        } finally {
            guard.done();
        }
    }

    private Opened<S> handshake(Socket plain, Deadline deadline, HandshakeGuard guard) throws IOException {
        plain.setTcpNoDelay(true);
        Socket socket = plain;
        if (options.tls() != null) {
            socket = startTls(plain, deadline);
            if (socket == null) {
                return null;
            }
        }
        ByteBuffer buffer = ByteBuffer.allocate(4096).limit(0);
        ServerOpening opening;
        try {
            HttpParser.Head head = Heads.read(socket, new HttpParser(limits), buffer, deadline);
            opening = ServerOpening.of(head, options.framing(), options.compression());
        } catch (HttpException e) {
            refuse(socket, e.status(), e.getMessage(), e.headers());
            return null;
        }
        HandshakeRequest request = opening.request();
        String origin = request.headers().first("Origin").orElse(null);
        if (origin != null && !options.originPolicy().allows(origin, request.headers().first("Host").orElseThrow(),
                options.tls() != null)) {
            refuse(socket, 403, "origin not allowed: " + origin, Headers.EMPTY);
            return null;
        }
        byte[] body = Heads.readBody(socket, buffer, opening.bodyLength(), deadline);
        Upgrade<S> upgrade;
        try {
            upgrade = upgrader.upgrade(request);
            if (upgrade == null) {
                throw new NullPointerException("the upgrader returned null");
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "the upgrader failed; answering 500", t);
            refuse(socket, 500, "internal server error", Headers.EMPTY);
            return null;
        }
        switch (upgrade) {
            case Upgrade.Reject<S> r -> {
                refuse(socket, r.status(), r.reason(), r.headers());
                return null;
            }
            case Upgrade.Accept<S> a -> {
                Headers extra = a.headers();
                String subprotocol;
                byte[] response;
                try {
                    subprotocol = ServerHandshake.selectSubprotocol(request.subprotocols(), options.subprotocols(),
                            extra);
                    if (subprotocol != null && !extra.contains("Sec-WebSocket-Protocol")) {
                        extra = extra.with("Sec-WebSocket-Protocol", subprotocol);
                    }
                    response = opening.accept(body, extra);
                } catch (IllegalArgumentException e) {
                    LOG.log(System.Logger.Level.WARNING, "the upgrader's answer is invalid; answering 500", e);
                    refuse(socket, 500, "internal server error", Headers.EMPTY);
                    return null;
                }
                socket.getOutputStream().write(response);
                guard.done();
                Connection connection = new Connection(socket, opening.protocol(limits, new MaskKeys(), ZlibPool.SHARED),
                        request.startLine(), request.headers(), subprotocol, new Connection.Settings(limits,
                        options.idleTimeout(), options.maxLifetime(), options.pingInterval(), options.pongTimeout()));
                return new Opened<>(connection, a.state(), Heads.leftover(buffer));
            }
        }
    }

    /**
     * The server's side of TLS. The first byte tells a TLS client (a handshake record, 0x16) from a plaintext one,
     * which is answered in plaintext with 400 instead of a TLS alert it cannot read; the byte is then handed back
     * to JSSE. Returns null when the client was refused.
     */
    private SSLSocket startTls(Socket plain, Deadline deadline) throws IOException {
        plain.setSoTimeout(deadline.remainingMillis());
        int first = plain.getInputStream().read();
        if (first < 0) {
            throw new java.io.EOFException("connection closed before the TLS handshake");
        }
        if (first != 0x16) {
            refuse(plain, 400, "this server speaks TLS: connect with wss://", Headers.EMPTY);
            return null;
        }
        SSLSocket tls = (SSLSocket) options.tls().getSocketFactory().createSocket(plain,
                new java.io.ByteArrayInputStream(new byte[] {(byte) first}), true);
        tls.setUseClientMode(false);
        tls.setSoTimeout(deadline.remainingMillis());
        tls.startHandshake();
        return tls;
    }

    /**
     * Answers with an HTTP error, half-closes, and reads what the client still sends for a moment, so that unread
     * request bytes do not turn the close into a reset that destroys the response before the client reads it.
     */
    private static void refuse(Socket socket, int status, String reason, Headers headers) {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            out.write(ServerHandshake.reject(status, reason, headers));
            out.flush();
            socket.shutdownOutput();
            socket.setSoTimeout((int) LINGER_MILLIS);
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[8192];
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
            int total = 0;
            for (int n; total < LINGER_BYTES && System.nanoTime() - until < 0 && (n = in.read(sink)) >= 0; ) {
                total += n;
            }
        } catch (IOException e) {
            // the client is gone: nothing more to tell it
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            awaitThreads();
            return;
        }
        closeQuietly(serverSocket);
        for (Socket s : handshaking) {
            closeQuietly(s);
        }
        List<Thread> closers = new ArrayList<>();
        for (Connection c : connections) {
            closers.add(Thread.ofVirtual().name("duplex-shutdown").start(() -> closeQuietly(c, CloseStatus.GOING_AWAY)));
        }
        for (Thread t : closers) {
            joinUninterruptibly(t, 0);
        }
        awaitThreads();
    }

    /** Waits for the connection threads; a handler that ignores its closed connection is interrupted, then left. */
    private void awaitThreads() {
        long grace = TimeUnit.NANOSECONDS.toMillis(Inbox.nanos(limits.closeTimeout())) + 1000;
        joinUninterruptibly(acceptThread, grace);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(grace);
        for (Thread t : List.copyOf(threads)) {
            joinUninterruptibly(t, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
        }
        for (Thread t : List.copyOf(threads)) {
            LOG.log(System.Logger.Level.WARNING, t.getName() + " did not end after the server closed; interrupting it");
            t.interrupt();
            joinUninterruptibly(t, 1000);
        }
    }

    private static void joinUninterruptibly(Thread t, long millis) {
        boolean interrupted = false;
        while (true) {
            try {
                if (millis == 0) {
                    t.join();
                } else {
                    t.join(millis);
                }
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection c, CloseStatus status) {
        try {
            c.close(status);
        } catch (IOException | RuntimeException e) {
            c.abort("close failed: " + e, e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already closed or broken: either way it is gone
        }
    }

    @Override
    public String toString() {
        return "WebSocketServer[port " + port() + ", " + connections.size() + " connections]";
    }
}
