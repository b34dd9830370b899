package dev.duplex;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An opening-handshake request as the server's {@link Upgrader} sees it: the start-line and the header fields,
 * after the handshake itself has been validated.
 *
 * @param startLine the request-line without its line ending, for example {@code GET /chat HTTP/1.1}
 * @param method    the method, always {@code GET} for a valid WebSocket handshake
 * @param target    the request-target as sent (path and query, not decoded)
 * @param headers   the request's header fields, in wire order
 */
public record HandshakeRequest(String startLine, String method, String target, Headers headers) {

    public HandshakeRequest {
        Objects.requireNonNull(startLine, "startLine");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(headers, "headers");
    }

    /** The target's path: everything before the first {@code ?}, not decoded. */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** The target's query: everything after the first {@code ?}, not decoded, or "" when there is none. */
    public String query() {
        int q = target.indexOf('?');
        return q < 0 ? "" : target.substring(q + 1);
    }

    /** The subprotocols the client offers ({@code Sec-WebSocket-Protocol}), most preferred first. */
    public List<String> subprotocols() {
        return headers.tokens("Sec-WebSocket-Protocol");
    }

    /**
     * The cookies the request carries (RFC 6265 §5.4 {@code Cookie: name=value; name2=value2}), by name, the first
     * of each name; values as sent, without surrounding quotes removed.
     */
    public Map<String, String> cookies() {
        Map<String, String> cookies = new LinkedHashMap<>();
        for (String header : headers.all("Cookie")) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    cookies.putIfAbsent(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
                }
            }
        }
        return cookies;
    }
}
