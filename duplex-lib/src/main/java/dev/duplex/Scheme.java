package dev.duplex;

import java.net.URI;
import java.util.Optional;

/** The two WebSocket URI schemes (RFC 6455 §3): Racket's {@code ws-url?} and {@code wss-url?}. */
public enum Scheme {
    /** {@code ws://}: plain TCP, default port 80. */
    WS("ws", 80, false),
    /** {@code wss://}: TLS, default port 443. */
    WSS("wss", 443, true);

    private final String text;
    private final int defaultPort;
    private final boolean secure;

    Scheme(String text, int defaultPort, boolean secure) {
        this.text = text;
        this.defaultPort = defaultPort;
        this.secure = secure;
    }

    /** The scheme of a WebSocket URI, or empty when {@code uri} is not {@code ws:} or {@code wss:} (any case). */
    public static Optional<Scheme> of(URI uri) {
        String s = uri.getScheme();
        if (s == null) {
            return Optional.empty();
        }
        for (Scheme scheme : values()) {
            if (scheme.text.equalsIgnoreCase(s)) {
                return Optional.of(scheme);
            }
        }
        return Optional.empty();
    }

    /** Whether the scheme runs over TLS. */
    public boolean isSecure() {
        return secure;
    }

    /** The port used when the URI names none. */
    public int defaultPort() {
        return defaultPort;
    }

    @Override
    public String toString() {
        return text;
    }
}
