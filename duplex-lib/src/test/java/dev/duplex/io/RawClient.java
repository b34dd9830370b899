package dev.duplex.io;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client made of a plain {@link Socket} to 127.0.0.1: it writes a valid RFC 6455 handshake (or any
 * bytes at all), then exact frames, masked with a fresh key unless told otherwise, and reads the server's frames
 * back with its own parser. It checks nothing the server does beyond what it is asked to.
 */
public final class RawClient extends RawEndpoint {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private RawClient(Socket socket) throws IOException {
        super(socket);
    }

    /** Connects to 127.0.0.1:port; no bytes are sent yet. */
    public static RawClient connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            return new RawClient(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Connects and completes the opening handshake for "/". */
    public static RawClient open(int port) throws IOException {
        RawClient client = connect(port);
        try {
            client.handshake("/");
            return client;
        } catch (IOException | RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
    }

    /** A valid handshake request for {@code target} with this key and extra header lines ("Name: value"). */
    public static byte[] request(String target, String key, String... extraLines) {
        StringBuilder sb = new StringBuilder()
                .append("GET ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        for (String line : extraLines) {
            sb.append(line).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A fresh {@code Sec-WebSocket-Key}: 16 random bytes in base64. */
    public static String newKey() {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** RFC 6455 §4.2.2: base64(SHA-1(key + GUID)), computed here rather than by the library under test. */
    public static String acceptFor(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Sends a valid handshake request, and the frames {@code after} (masked) in the same write, then reads the
     * response and checks it is a 101 with the right {@code Sec-WebSocket-Accept}.
     */
    public HttpHead handshake(String target, RawFrame... after) throws IOException {
        String key = newKey();
        byte[][] parts = new byte[after.length + 1][];
        parts[0] = request(target, key);
        for (int i = 0; i < after.length; i++) {
            parts[i + 1] = encode(after[i]);
        }
        write(parts);
        HttpHead response = readHttp();
        if (response.status() != 101) {
            throw new AssertionError("expected 101 Switching Protocols, got " + response.startLine());
        }
        String accept = response.first("Sec-WebSocket-Accept").orElse("");
        if (!accept.equals(acceptFor(key))) {
            throw new AssertionError("wrong Sec-WebSocket-Accept: " + accept);
        }
        return response;
    }

    /**
     * Sends a valid handshake request for {@code target} with extra header lines ("Name: value"), reads the
     * response and checks it is a 101 with the right {@code Sec-WebSocket-Accept}.
     */
    public HttpHead handshakeWith(String target, List<String> extraLines) throws IOException {
        String key = newKey();
        write(request(target, key, extraLines.toArray(String[]::new)));
        HttpHead response = readHttp();
        if (response.status() != 101) {
            throw new AssertionError("expected 101 Switching Protocols, got " + response.startLine());
        }
        if (!response.first("Sec-WebSocket-Accept").orElse("").equals(acceptFor(key))) {
            throw new AssertionError("wrong Sec-WebSocket-Accept: " + response.first("Sec-WebSocket-Accept"));
        }
        return response;
    }

    @Override
    protected byte[] encode(RawFrame frame) {
        return frame.encode(ThreadLocalRandom.current().nextInt());
    }

    /** Writes the frames without masking them, which a client must never do (RFC 6455 §5.1). */
    public void sendUnmasked(RawFrame... frames) throws IOException {
        byte[][] parts = new byte[frames.length][];
        for (int i = 0; i < frames.length; i++) {
            parts[i] = frames[i].encode(null);
        }
        write(parts);
    }

    @Override
    protected void checkMasking(boolean masked, RawFrame frame) {
        if (masked) {
            throw new AssertionError("the server sent a masked frame: " + frame);
        }
    }
}
