package dev.duplex.protocol.handshake;

import dev.duplex.Compression;
import dev.duplex.HandshakeException;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.protocol.Protocol;
import dev.duplex.protocol.Rfc6455Protocol;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.deflate.DeflateNegotiation;
import dev.duplex.protocol.deflate.PerMessageDeflate;
import dev.duplex.protocol.deflate.Zlib;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The client's side of the RFC 6455 §4.1 opening handshake: the request, and the checks on the server's response.
 */
public final class ClientHandshake implements ClientOpening {

    /** Header fields the handshake writes itself; the application may not pass them. */
    private static final Set<String> OWN_HEADERS = ServerHandshake.caseInsensitive(
            "Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions",
            "Content-Length", "Transfer-Encoding");

    private final String host;
    private final String target;
    private final Headers extra;
    private final String key;
    private final Compression compression;
    private DeflateNegotiation.Agreement deflate;

    /**
     * @param host   the Host header value: the URI's host, with the port when it is not the scheme's default
     * @param target the request-target: the URI's raw path (or "/") and query
     * @param extra  the application's header fields
     * @param nonce  16 random bytes for {@code Sec-WebSocket-Key} (§4.1: "randomly selected 16-byte value")
     * @throws IllegalArgumentException {@code extra} includes a field the handshake writes itself
     */
    public ClientHandshake(String host, String target, Headers extra, byte[] nonce) {
        this(host, target, extra, nonce, Compression.DISABLED);
    }

    /**
     * @param compression what to offer of permessage-deflate
     */
    public ClientHandshake(String host, String target, Headers extra, byte[] nonce, Compression compression) {
        if (nonce.length != 16) {
            throw new IllegalArgumentException("the nonce is 16 bytes");
        }
        ServerHandshake.refuseOwnHeaders(extra, OWN_HEADERS, "the application may not set ");
        this.host = host;
        this.target = target;
        this.extra = extra;
        this.key = Base64.getEncoder().encodeToString(nonce);
        this.compression = compression;
    }

    /** The value of {@code Sec-WebSocket-Key}. */
    public String key() {
        return key;
    }

    @Override
    public byte[] request() {
        StringBuilder sb = new StringBuilder(256)
                .append("GET ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        if (compression.enabled()) {
            sb.append("Sec-WebSocket-Extensions: ").append(DeflateNegotiation.offer(compression)).append("\r\n");
        }
        ServerHandshake.appendFields(sb, extra);
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public int responseBodyLength() {
        return 0;
    }

    @Override
    public Protocol protocol(Limits limits, RandomGenerator maskKeys, Zlib zlib) {
        return new Rfc6455Protocol(Role.CLIENT, limits, maskKeys, deflate == null ? null
                : new PerMessageDeflate(Role.CLIENT, deflate, compression.threshold(), compression.level(), zlib));
    }

    /** What the server agreed to of permessage-deflate, once the response is verified; null for nothing. */
    public DeflateNegotiation.Agreement deflate() {
        return deflate;
    }

    @Override
    public void verifyBody(byte[] body) {
    }

    /** Checks the server's response (§4.1, "the client MUST validate the server's response as follows"). */
    @Override
    public void verify(HttpParser.Head response) throws HandshakeException {
        Headers headers = response.headers();
        int status = statusCode(response.startLine());
        if (status < 0) {
            throw new HandshakeException("invalid status-line: " + response.startLine(), 0, headers);
        }
        if (status != 101) {
            throw new HandshakeException("server answered \"" + response.startLine().substring(9)
                    + "\" instead of 101 Switching Protocols", status, headers);
        }
        if (!headers.containsToken("Upgrade", "websocket")) {
            throw new HandshakeException("response lacks Upgrade: websocket", status, headers);
        }
        if (!headers.containsToken("Connection", "Upgrade")) {
            throw new HandshakeException("response lacks Connection: Upgrade", status, headers);
        }
        List<String> accepts = headers.all("Sec-WebSocket-Accept");
        if (accepts.size() != 1 || !accepts.getFirst().equals(ServerHandshake.acceptKey(key))) {
            throw new HandshakeException("wrong Sec-WebSocket-Accept in response", status, headers);
        }
        // §4.1: an extension or subprotocol the client did not offer fails the connection.
        try {
            deflate = DeflateNegotiation.verify(headers.all("Sec-WebSocket-Extensions"), compression);
        } catch (IllegalArgumentException e) {
            throw new ExtensionMismatch(e.getMessage(), status, headers);
        }
        List<String> selected = headers.tokens("Sec-WebSocket-Protocol");
        List<String> offered = extra.tokens("Sec-WebSocket-Protocol");
        if (selected.size() > 1) {
            throw new HandshakeException("server selected more than one subprotocol", status, headers);
        }
        if (selected.size() == 1 && !offered.contains(selected.getFirst())) {
            throw new HandshakeException("server selected a subprotocol that was not offered: "
                    + selected.getFirst(), status, headers);
        }
        // Browsers and Node ws fail here too: the application asked for a subprotocol the server did not agree to.
        if (selected.isEmpty() && !offered.isEmpty()) {
            throw new HandshakeException("server selected none of the offered subprotocols "
                    + String.join(", ", offered), status, headers);
        }
    }

    /** The status code of an HTTP/1.x status-line, or -1 when the line is not one. */
    public static int statusCode(String statusLine) {
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.") || statusLine.charAt(8) != ' '
                || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
            return -1;
        }
        int code = 0;
        for (int i = 9; i < 12; i++) {
            char c = statusLine.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            code = code * 10 + (c - '0');
        }
        return code;
    }
}
