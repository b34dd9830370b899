package dev.duplex.io;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A WebSocket server made of a plain {@link ServerSocket} on 127.0.0.1, port 0: it answers a client's opening
 * handshake correctly and then writes exact unmasked frames, so that the library's client can be fed input no
 * well-behaved library server would produce (fragments in chosen places, pings between them, frames in the same
 * packet as the 101 response).
 */
public final class RawServer implements AutoCloseable {

    private final ServerSocket serverSocket;

    private RawServer(ServerSocket serverSocket) {
        this.serverSocket = serverSocket;
    }

    public static RawServer start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setSoTimeout((int) RawEndpoint.DEFAULT_READ_TIMEOUT.toMillis());
        return new RawServer(s);
    }

    /** A server on 127.0.0.1, port 0, that speaks TLS with this context: for {@code wss://} clients. */
    public static RawServer startTls(SSLContext tls) throws IOException {
        ServerSocket s = tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        s.setSoTimeout((int) RawEndpoint.DEFAULT_READ_TIMEOUT.toMillis());
        return new RawServer(s);
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** ws://127.0.0.1:PORT/ */
    public URI uri() {
        return URI.create("ws://127.0.0.1:" + port() + "/");
    }

    /**
     * Accepts one connection (waiting at most the read timeout), reads its handshake request and answers 101; the
     * frames in {@code withResponse} go out in the same write as the response.
     */
    public Peer accept(RawFrame... withResponse) throws IOException {
        Peer peer = acceptRequest();
        try {
            peer.answer101(List.of(), withResponse);
            return peer;
        } catch (IOException | RuntimeException | AssertionError e) {
            peer.close();
            throw e;
        }
    }

    /**
     * Accepts one connection (waiting at most the read timeout) and reads its handshake request without answering
     * it: the test answers with {@link Peer#answer101} or with any bytes it likes.
     */
    public Peer acceptRequest() throws IOException {
        Socket socket = serverSocket.accept();
        Peer peer = new Peer(socket);
        try {
            peer.request = peer.readHttp();
            return peer;
        } catch (IOException | RuntimeException | AssertionError e) {
            peer.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }

    /** The server's end of one connection: sends unmasked frames, expects masked ones. */
    public static final class Peer extends RawEndpoint {

        private HttpHead request;

        private Peer(Socket socket) throws IOException {
            super(socket);
        }

        /**
         * Answers the request read with a valid 101 response carrying these extra header lines ("Name: value");
         * the frames in {@code withResponse} go out in the same write.
         */
        public void answer101(List<String> extraLines, RawFrame... withResponse) throws IOException {
            String key = request.first("Sec-WebSocket-Key")
                    .orElseThrow(() -> new AssertionError("no Sec-WebSocket-Key in " + request));
            StringBuilder head = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + RawClient.acceptFor(key) + "\r\n");
            for (String line : extraLines) {
                head.append(line).append("\r\n");
            }
            byte[] response = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
            byte[][] parts = new byte[withResponse.length + 1][];
            parts[0] = response;
            for (int i = 0; i < withResponse.length; i++) {
                parts[i + 1] = encode(withResponse[i]);
            }
            write(parts);
        }

        /** The client's handshake request. */
        public HttpHead request() {
            return request;
        }

        @Override
        protected byte[] encode(RawFrame frame) {
            return frame.encode(null);
        }

        @Override
        protected void checkMasking(boolean masked, RawFrame frame) {
            if (!masked) {
                throw new AssertionError("the client sent an unmasked frame: " + frame);
            }
        }

        /**
         * Finishes a closing handshake the client started: reads up to its Close, answers with the same code, and
         * closes TCP first as a server should (RFC 6455 §7.1.1), waiting for the client's end of stream.
         *
         * @return the client's Close frame
         */
        public RawFrame answerClose(Duration limit) throws IOException {
            RawFrame close = readUntilClose();
            send(close.payload().length >= 2 ? RawFrame.close(close.closeCode(), "")
                    : new RawFrame(true, 0, RawFrame.CLOSE, new byte[0]));
            shutdownOutput();
            readToEof(limit);
            close();
            return close;
        }
    }
}
