package dev.duplex;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which browser origins may open connections to a server: the defence against cross-site WebSocket hijacking, where
 * a page on another site opens a connection that carries the user's cookies. A request whose {@code Origin} is not
 * allowed is refused with 403 before the {@link Upgrader} runs.
 *
 * <p>Requests without an {@code Origin} header (programs rather than browsers) are always allowed: the header is
 * what browsers add, and a program could send any value it likes.
 */
@FunctionalInterface
public interface OriginPolicy {

    /**
     * Whether a request with this {@code Origin} may connect.
     *
     * @param origin the Origin header's value, such as {@code https://example.com} or {@code null}
     * @param host   the request's Host header
     * @param secure whether the server runs TLS (it decides the default port a Host without one means)
     */
    boolean allows(String origin, String host, boolean secure);

    /** Every origin: for servers whose clients are not browsers, or that check something stronger. */
    static OriginPolicy any() {
        return (origin, host, secure) -> true;
    }

    /**
     * Only pages from the server's own host and port (the default): the Origin's host and port equal the Host
     * header's, scheme-default ports filled in.
     */
    static OriginPolicy sameHost() {
        return OriginPolicy::isSameHost;
    }

    /**
     * The server's own host and these origins, compared case-insensitively as {@code scheme://host[:port]}; the
     * value {@code *} allows every origin.
     */
    static OriginPolicy sameHostOr(String... origins) {
        Set<String> allowed = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String o : origins) {
            allowed.add(o.endsWith("/") ? o.substring(0, o.length() - 1) : o);
        }
        if (allowed.contains("*")) {
            return any();
        }
        return (origin, host, secure) -> allowed.contains(origin) || isSameHost(origin, host, secure);
    }

    private static boolean isSameHost(String origin, String host, boolean secure) {
        URI uri;
        try {
            uri = new URI(origin);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
            return false; // "null", file: and other opaque origins
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int originPort = uri.getPort() >= 0 ? uri.getPort()
                : scheme.equals("https") || scheme.equals("wss") ? 443 : 80;
        URI hostUri;
        try {
            hostUri = new URI("x://" + host);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        if (hostUri.getHost() == null) {
            return false;
        }
        int hostPort = hostUri.getPort() >= 0 ? hostUri.getPort() : secure ? 443 : 80;
        return hostUri.getHost().equalsIgnoreCase(uri.getHost()) && hostPort == originPort;
    }
}
