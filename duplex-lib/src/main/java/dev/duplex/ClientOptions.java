package dev.duplex;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How {@link WebSocket#connect} connects: immutable, changed with the {@code with…} methods.
 *
 * @param limits         size and time limits of the connection
 * @param connectTimeout time allowed for the TCP connect (default 10 s); the opening handshake that follows has
 *                       {@link Limits#handshakeTimeout()}
 * @param idleTimeout    nothing received or sent for this long closes the connection with 1001 (default 1 h)
 * @param framing        the wire format (default {@link Framing#RFC6455})
 * @param tls            the TLS context for {@code wss://}, or null (the default) for the JDK's: it trusts the
 *                       JDK's CA store. Host names are always verified and SNI always sent.
 * @param subprotocols   the subprotocols offered, most preferred first; the server must select one of them
 *                       (default none)
 * @param pingInterval   with nothing received for this long, send a Ping; null (the default) for no keepalive
 * @param pongTimeout    after a keepalive Ping, nothing received for this long closes the connection with 1011
 *                       (default 10 s)
 * @param proxy          chooses an HTTP proxy to tunnel through with CONNECT, or null (the default) to connect
 *                       directly; see {@link #withProxyFromEnvironment()}
 * @param maxRedirects   how many 301, 302, 303, 307 and 308 answers to follow (default 0: none); never from
 *                       {@code wss} to {@code ws}, and {@code Authorization} and {@code Cookie} are dropped when
 *                       the host or port changes
 * @param compression    permessage-deflate: what the client offers (default {@link Compression#DEFAULT})
 */
public record ClientOptions(
        Limits limits,
        Duration connectTimeout,
        Duration idleTimeout,
        Framing framing,
        SSLContext tls,
        List<String> subprotocols,
        Duration pingInterval,
        Duration pongTimeout,
        ProxySelector proxy,
        int maxRedirects,
        Compression compression) {

    /** Default limits, 10 s connect timeout, 1 h idle timeout, RFC 6455, the JDK's TLS, no subprotocols, no keepalive,
     * no proxy, no redirects, permessage-deflate offered. */
    public static final ClientOptions DEFAULT = new ClientOptions(Limits.DEFAULT, Duration.ofSeconds(10),
            Duration.ofHours(1), Framing.RFC6455, null, List.of(), null, Duration.ofSeconds(10), null, 0,
            Compression.DEFAULT);

    public ClientOptions {
        Objects.requireNonNull(limits, "limits");
        Limits.positive("connectTimeout", connectTimeout);
        Limits.positive("idleTimeout", idleTimeout);
        Objects.requireNonNull(framing, "framing");
        subprotocols = tokens("subprotocol", subprotocols);
        if (pingInterval != null) {
            Limits.positive("pingInterval", pingInterval);
        }
        Limits.positive("pongTimeout", pongTimeout);
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must not be negative, not " + maxRedirects);
        }
        Objects.requireNonNull(compression, "compression");
    }

    static List<String> tokens(String what, List<String> values) {
        for (String v : values) {
            if (!Headers.isToken(v)) {
                throw new IllegalArgumentException("a " + what + " is an HTTP token, not \"" + v + "\"");
            }
        }
        return List.copyOf(values);
    }

    public ClientOptions withLimits(Limits limits) {
        return new ClientOptions(limits, connectTimeout, idleTimeout, framing, tls, subprotocols, pingInterval,
                pongTimeout, proxy, maxRedirects, compression);
    }

    public ClientOptions withConnectTimeout(Duration timeout) {
        return new ClientOptions(limits, timeout, idleTimeout, framing, tls, subprotocols, pingInterval,
                pongTimeout, proxy, maxRedirects, compression);
    }

    public ClientOptions withIdleTimeout(Duration timeout) {
        return new ClientOptions(limits, connectTimeout, timeout, framing, tls, subprotocols, pingInterval,
                pongTimeout, proxy, maxRedirects, compression);
    }

    public ClientOptions withFraming(Framing framing) {
        return new ClientOptions(limits, connectTimeout, idleTimeout, framing, tls, subprotocols, pingInterval,
                pongTimeout, proxy, maxRedirects, compression);
    }

    /** Uses this TLS context for {@code wss://} (a private CA, say: {@link Tls#trusting}); null for the JDK's. */
    public ClientOptions withTls(SSLContext tls) {
        return new ClientOptions(limits, connectTimeout, idleTimeout, framing, tls, subprotocols, pingInterval,
                pongTimeout, proxy, maxRedirects, compression);
    }

    public ClientOptions withSubprotocols(String... subprotocols) {
        return new ClientOptions(limits, connectTimeout, idleTimeout, framing, tls, List.of(subprotocols),
                pingInterval, pongTimeout, proxy, maxRedirects, compression);
    }

    /** Sends a Ping after {@code interval} with nothing received (null: never). */
    public ClientOptions withPingInterval(Duration interval) {
        return new ClientOptions(limits, connectTimeout, idleTimeout, framing, tls, subprotocols, interval,
                pongTimeout, proxy, maxRedirects, compression);
    }

    public ClientOptions withPongTimeout(Duration timeout) {
        return new ClientOptions(limits, connectTimeout, idleTimeout, framing, tls, subprotocols, pingInterval,
                timeout, proxy, maxRedirects, compression);
    }

    /** Tunnels through the HTTP proxies this selector picks (CONNECT); null to connect directly. */
    public ClientOptions withProxy(ProxySelector proxy) {
        return new ClientOptions(limits, connectTimeout, idleTimeout, framing, tls, subprotocols, pingInterval,
                pongTimeout, proxy, maxRedirects, compression);
    }

    /** Tunnels every connection through this HTTP proxy (CONNECT). */
    public ClientOptions withProxy(InetSocketAddress proxy) {
        return withProxy(ProxySelector.of(proxy));
    }

    /**
     * Takes the proxy from the environment, as curl does: {@code https_proxy} for {@code wss://}, {@code http_proxy}
     * for {@code ws://} (lower or upper case), and {@code no_proxy} for the hosts to reach directly.
     */
    public ClientOptions withProxyFromEnvironment() {
        return withProxy(dev.duplex.io.EnvironmentProxy.fromEnvironment(System.getenv()));
    }

    public ClientOptions withMaxRedirects(int redirects) {
        return new ClientOptions(limits, connectTimeout, idleTimeout, framing, tls, subprotocols, pingInterval,
                pongTimeout, proxy, redirects, compression);
    }

    /** permessage-deflate: what the client offers; {@link Compression#DISABLED} to offer nothing. */
    public ClientOptions withCompression(Compression compression) {
        return new ClientOptions(limits, connectTimeout, idleTimeout, framing, tls, subprotocols, pingInterval,
                pongTimeout, proxy, maxRedirects, compression);
    }
}
