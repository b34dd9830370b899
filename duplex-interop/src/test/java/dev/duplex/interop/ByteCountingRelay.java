package dev.duplex.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on 127.0.0.1 in front of a server on another loopback port, counting the bytes that cross each way on
 * every connection: what compression saves is then measured on the wire, not inferred.
 *
 * <p>Each accepted connection gets its own connection to the server and two virtual threads that copy bytes, one
 * each way; a byte is counted before it is passed on, so once an endpoint has read something, the count includes it.
 * The end of a stream is passed on as a half-close. {@link #close()} stops accepting, closes every socket and waits for
 * the threads.
 */
final class ByteCountingRelay implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    /** The bytes that crossed one relayed connection so far, each way. */
    static final class Link {
        private final AtomicLong toServer = new AtomicLong();
        private final AtomicLong toClient = new AtomicLong();

        /** Bytes from the client to the server so far. */
        long toServer() {
            return toServer.get();
        }

        /** Bytes from the server to the client so far. */
        long toClient() {
            return toClient.get();
        }
    }

    private final InetAddress loopback = InetAddress.getByName("127.0.0.1");
    private final ServerSocket listener;
    private final int targetPort;
    private final BlockingQueue<Link> links = new LinkedBlockingQueue<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> pumps = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private ByteCountingRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, loopback);
        this.acceptor = Thread.ofVirtual().name("relay-accept").start(this::acceptAll);
    }

    /** A relay to the server listening on 127.0.0.1 at {@code targetPort}. */
    static ByteCountingRelay start(int targetPort) throws IOException {
        return new ByteCountingRelay(targetPort);
    }

    /** The port the relay listens on, on 127.0.0.1. */
    int port() {
        return listener.getLocalPort();
    }

    /** The counts of the next connection the relay accepted, in order; fails if none comes within the timeout. */
    Link nextLink(Duration timeout) throws InterruptedException {
        Link link = links.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (link == null) {
            throw new AssertionError("the relay accepted no connection within " + timeout.toMillis() + " ms");
        }
        return link;
    }

    @Override
    public void close() throws InterruptedException {
        closeQuietly(listener);
        acceptor.join(STOP_TIMEOUT);
        sockets.forEach(ByteCountingRelay::closeQuietly);
        for (Thread pump : pumps) {
            if (!pump.join(STOP_TIMEOUT)) {
                throw new AssertionError(pump.getName() + " still running after its sockets were closed");
            }
        }
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                Socket server = new Socket(loopback, targetPort);
                sockets.add(server);
                Link link = new Link();
                pumps.add(Thread.ofVirtual().name("relay-to-server").start(() -> pump(client, server, link.toServer)));
                pumps.add(Thread.ofVirtual().name("relay-to-client").start(() -> pump(server, client, link.toClient)));
                links.add(link);
            } catch (IOException e) {
                // The listener was closed, or the server refused: that client's socket is closed with the rest.
            }
        }
    }

    private static void pump(Socket from, Socket to, AtomicLong count) {
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                count.addAndGet(n);
                out.write(buffer, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // A reset on either side, or the relay closing: end the connection both ways.
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Closing is all that is left to do with it.
        }
    }
}
