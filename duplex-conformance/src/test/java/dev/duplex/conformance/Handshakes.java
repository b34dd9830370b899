package dev.duplex.conformance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/** The suite's opening handshakes (RFC 6455 §4), as a client and as a server, with the case's permessage-deflate. */
final class Handshakes {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Handshakes() {
    }

    /** RFC 6455 §4.2.2: base64(SHA-1(key + GUID)), computed by the suite, not the library under test. */
    static String accept(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Connects to a server on 127.0.0.1 and opens a WebSocket as Autobahn's fuzzing client does for {@code c}.
     *
     * @throws IOException the server refused or answered wrongly
     */
    static Fuzzer openClient(int port, Case c) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) TIMEOUT.toMillis());
            Wire wire = new Wire(socket);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                    .append("Sec-WebSocket-Version: 13\r\n");
            if (c.compression() != null) {
                request.append("Sec-WebSocket-Extensions: ").append(Negotiation.offerHeader(c.compression()))
                        .append("\r\n");
            }
            wire.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            Wire.Head response = wire.readHead(System.nanoTime() + TIMEOUT.toNanos());
            if (!response.startLine().startsWith("HTTP/1.1 101")) {
                throw new IOException("the server answered " + response.startLine());
            }
            if (!response.first("sec-websocket-accept").orElse("").equals(accept(key))) {
                throw new IOException("wrong Sec-WebSocket-Accept");
            }
            Negotiation.Verified verified = new Negotiation.Verified(null, null);
            if (c.compression() != null) {
                try {
                    verified = Negotiation.verifyAnswer(c.compression(), response.all("sec-websocket-extensions"));
                } catch (IllegalArgumentException e) {
                    throw new IOException(e.getMessage());
                }
            } else if (!response.all("sec-websocket-extensions").isEmpty()) {
                throw new IOException("the server accepted an extension that was not offered");
            }
            Fuzzer f = new Fuzzer(Fuzzer.Part.CLIENT, wire, verified.agreement());
            if (verified.problem() != null) {
                f.handshakeProblem(verified.problem());
            }
            return f;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Answers a client's opening handshake with 101 and, when given, a {@code Sec-WebSocket-Extensions} value. */
    static void answer(Wire wire, Wire.Head request, String extensions) throws IOException {
        String key = request.first("sec-websocket-key").orElseThrow(() -> new IOException("no Sec-WebSocket-Key"));
        StringBuilder response = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Accept: ").append(accept(key)).append("\r\n");
        if (extensions != null) {
            response.append("Sec-WebSocket-Extensions: ").append(extensions).append("\r\n");
        }
        wire.write(response.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    }
}
