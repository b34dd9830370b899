package dev.duplex.protocol.handshake;

import dev.duplex.HandshakeRequest;
import dev.duplex.Headers;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The server's side of the RFC 6455 §4.2 opening handshake: validates the request, computes
 * {@code Sec-WebSocket-Accept}, and writes the 101 response or an HTTP error.
 */
public final class ServerHandshake {

    /** RFC 6455 §1.3: the GUID concatenated with the key before hashing. */
    public static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** Header fields the handshake writes itself; an upgrader may not add them. */
    private static final Set<String> OWN_HEADERS = caseInsensitive(
            "Upgrade", "Connection", "Sec-WebSocket-Accept", "Sec-WebSocket-Extensions", "Content-Length",
            "Transfer-Encoding");

    private static final Headers UPGRADE_REQUIRED =
            Headers.of("Upgrade", "websocket", "Sec-WebSocket-Version", "13");

    private ServerHandshake() {
    }

    /**
     * Validates a request head as a WebSocket opening handshake (RFC 6455 §4.2.1).
     *
     * @return the request the upgrader sees
     * @throws HttpException what to refuse it with: 400 malformed, 405 not GET, 426 not an upgrade to WebSocket
     *                       version 13
     */
    public static HandshakeRequest validate(HttpParser.Head head) throws HttpException {
        HandshakeRequest request = parseRequest(head);
        Headers headers = request.headers();
        if (!headers.containsToken("Upgrade", "websocket")) {
            throw new HttpException(426, "not a WebSocket upgrade: Upgrade: websocket expected", UPGRADE_REQUIRED);
        }
        if (!headers.containsToken("Connection", "Upgrade")) {
            throw new HttpException(426, "not a WebSocket upgrade: Connection: Upgrade expected", UPGRADE_REQUIRED);
        }
        // §4.2.2: "If this version does not match a version understood by the server, the server MUST abort the
        // WebSocket handshake described in this section and instead send an appropriate HTTP error code (such as
        // 426 Upgrade Required) and a |Sec-WebSocket-Version| header field indicating the version(s)".
        List<String> versions = headers.all("Sec-WebSocket-Version");
        if (versions.size() != 1 || !versions.getFirst().equals("13")) {
            throw new HttpException(426, "unsupported WebSocket version " + String.join(",", versions)
                    + "; this server speaks 13", UPGRADE_REQUIRED);
        }
        // §4.2.1: "A |Sec-WebSocket-Key| header field with a base64-encoded value that, when decoded, is 16 bytes".
        List<String> keys = headers.all("Sec-WebSocket-Key");
        if (keys.size() != 1 || !isValidKey(keys.getFirst())) {
            throw new HttpException(400, keys.isEmpty() ? "missing Sec-WebSocket-Key" : "invalid Sec-WebSocket-Key");
        }
        return request;
    }

    /**
     * Checks what every opening handshake needs, RFC 6455 or hixie-76: a GET request-line with HTTP/1.1 or later, and
     * exactly one Host.
     *
     * @throws HttpException 400 (malformed, no Host) or 405 (not GET)
     */
    public static HandshakeRequest parseRequest(HttpParser.Head head) throws HttpException {
        String[] parts = head.startLine().split(" ", -1);
        if (parts.length != 3 || parts[1].isEmpty() || !Headers.isToken(parts[0])) {
            throw new HttpException(400, "malformed request-line");
        }
        String method = parts[0];
        String target = parts[1];
        String version = parts[2];
        if (!version.startsWith("HTTP/") || !isHttp11OrLater(version.substring(5))) {
            throw new HttpException(400, "a WebSocket handshake needs HTTP/1.1, not " + version);
        }
        // §4.1: "The method of the request MUST be GET".
        if (!method.equals("GET")) {
            throw new HttpException(405, "a WebSocket handshake uses GET, not " + method, Headers.of("Allow", "GET"));
        }
        Headers headers = head.headers();
        // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request message
        // that lacks a Host header field and to any request message that contains more than one Host header field".
        List<String> hosts = headers.all("Host");
        if (hosts.size() != 1) {
            throw new HttpException(400, hosts.isEmpty() ? "missing Host header" : "more than one Host header");
        }
        return new HandshakeRequest(head.startLine(), method, target, headers);
    }

    private static boolean isHttp11OrLater(String v) {
        int dot = v.indexOf('.');
        if (dot != 1 || v.length() != 3 || !Character.isDigit(v.charAt(0)) || !Character.isDigit(v.charAt(2))) {
            return false;
        }
        return v.charAt(0) > '1' || (v.charAt(0) == '1' && v.charAt(2) >= '1');
    }

    private static boolean isValidKey(String key) {
        if (key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** RFC 6455 §4.2.2: base64(SHA-1(key + GUID)). */
    public static String acceptKey(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
    }

    /**
     * The 101 response for a validated request, with the upgrader's extra header fields after the handshake's own.
     *
     * @throws IllegalArgumentException the extra headers include one the handshake writes itself
     */
    public static byte[] accept(HandshakeRequest request, Headers extra) {
        return accept(request, extra, null);
    }

    /**
     * The 101 response, with the extensions the server agreed to ({@code Sec-WebSocket-Extensions}, or null for
     * none) and the upgrader's extra header fields.
     */
    public static byte[] accept(HandshakeRequest request, Headers extra, String extensions) {
        refuseOwnHeaders(extra, OWN_HEADERS, "the upgrader may not set ");
        String key = request.headers().first("Sec-WebSocket-Key").orElseThrow();
        StringBuilder sb = new StringBuilder(160)
                .append("HTTP/1.1 101 Switching Protocols\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Accept: ").append(acceptKey(key)).append("\r\n");
        if (extensions != null) {
            sb.append("Sec-WebSocket-Extensions: ").append(extensions).append("\r\n");
        }
        appendFields(sb, extra);
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** An HTTP error response with a short plain-text body; the connection closes after it. */
    public static byte[] reject(int status, String reason, Headers extra) {
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(160)
                .append("HTTP/1.1 ").append(status).append(' ').append(reasonPhrase(status)).append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Connection: close\r\n");
        appendFields(sb, extra.without("Content-Type").without("Content-Length").without("Connection"));
        byte[] head = sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] response = new byte[head.length + body.length];
        System.arraycopy(head, 0, response, 0, head.length);
        System.arraycopy(body, 0, response, head.length, body.length);
        return response;
    }

    public static void appendFields(StringBuilder sb, Headers headers) {
        for (Headers.Field f : headers) {
            sb.append(f.name()).append(": ").append(f.value()).append("\r\n");
        }
    }

    /** The RFC 9110 reason phrase of the statuses a handshake answers with. */
    public static String reasonPhrase(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 414 -> "URI Too Long";
            case 426 -> "Upgrade Required";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> status < 500 ? "Client Error" : "Server Error";
        };
    }

    /**
     * The subprotocol the response selects: the upgrader's own {@code Sec-WebSocket-Protocol}, which must be one the
     * client offered, or else the first of the server's that the client offered; null for none.
     *
     * @param offered   the client's offer, most preferred first
     * @param supported the server's subprotocols, most preferred first
     * @param extra     the upgrader's response header fields
     * @throws IllegalArgumentException the upgrader selected more than one, or one the client did not offer
     */
    public static String selectSubprotocol(List<String> offered, List<String> supported, Headers extra) {
        List<String> chosen = extra.tokens("Sec-WebSocket-Protocol");
        if (chosen.size() > 1) {
            throw new IllegalArgumentException("the upgrader selected more than one subprotocol: " + chosen);
        }
        if (chosen.size() == 1) {
            // RFC 6455 §4.2.2: the value "MUST be one of the values from the client's handshake".
            if (!offered.contains(chosen.getFirst())) {
                throw new IllegalArgumentException("the upgrader selected subprotocol " + chosen.getFirst()
                        + ", which the client did not offer");
            }
            return chosen.getFirst();
        }
        for (String p : supported) {
            if (offered.contains(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * @throws IllegalArgumentException {@code headers} holds a field the handshake writes itself
     */
    public static void refuseOwnHeaders(Headers headers, Set<String> own, String who) {
        for (Headers.Field f : headers) {
            if (own.contains(f.name())) {
                throw new IllegalArgumentException(who + f.name() + "; the WebSocket handshake writes it");
            }
        }
    }

    public static Set<String> caseInsensitive(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(List.of(names));
        return set;
    }
}
