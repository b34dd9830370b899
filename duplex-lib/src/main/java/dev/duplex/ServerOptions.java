package dev.duplex;

import javax.net.ssl.SSLContext;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How {@link WebSocketServer#start} listens and serves (Racket's {@code ws-serve} keywords): immutable, changed
 * with the {@code with…} methods.
 *
 * @param port          the TCP port; 0 (the default) picks a free one, which {@link WebSocketServer#port()} tells
 * @param listenAddress the local address to bind, or null (the default) for every interface
 * @param backlog       the TCP listen backlog, Racket's {@code #:max-waiting} (default 128)
 * @param idleTimeout   nothing received or sent for this long closes a connection with 1001 (default 1 h,
 *                      the value of Racket's {@code #:timeout})
 * @param maxLifetime   a hard cap on each connection's life, after which it is closed with 1001, or null (the
 *                      default) for none: what Racket's {@code #:timeout} really did
 * @param limits        size and time limits of each connection
 * @param framing       the wire format (default {@link Framing#RFC6455})
 * @param tls           the TLS context for {@code wss://}, or null (the default) for plain TCP: Racket's
 *                      {@code #:tcp@}; {@link Tls} builds one from a keystore or PEM files
 * @param originPolicy  which browser origins may connect; others get 403 (default {@link OriginPolicy#sameHost()})
 * @param subprotocols  the subprotocols this server speaks, most preferred first: the first one the client also
 *                      offers is selected, unless the upgrader answers with a {@code Sec-WebSocket-Protocol} of its
 *                      own (default none)
 * @param pingInterval  with nothing received for this long, send a Ping; null (the default) for no keepalive
 * @param pongTimeout   after a keepalive Ping, nothing received for this long closes the connection with 1011
 *                      (default 10 s)
 * @param compression   permessage-deflate: what the server agrees to (default {@link Compression#LOW_MEMORY}: no
 *                      context takeover either way, so idle connections hold no zlib memory)
 */
public record ServerOptions(
        int port,
        InetAddress listenAddress,
        int backlog,
        Duration idleTimeout,
        Duration maxLifetime,
        Limits limits,
        Framing framing,
        SSLContext tls,
        OriginPolicy originPolicy,
        List<String> subprotocols,
        Duration pingInterval,
        Duration pongTimeout,
        Compression compression) {

    /** Port 0, every interface, backlog 128, 1 h idle timeout, no lifetime cap, default limits, RFC 6455, plain TCP,
     * same-host origins, no subprotocols, no keepalive, permessage-deflate without context takeover. */
    public static final ServerOptions DEFAULT = new ServerOptions(0, null, 128, Duration.ofHours(1), null,
            Limits.DEFAULT, Framing.RFC6455, null, OriginPolicy.sameHost(), List.of(), null, Duration.ofSeconds(10),
            Compression.LOW_MEMORY);

    public ServerOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, not " + port);
        }
        Limits.positive("backlog", backlog);
        Limits.positive("idleTimeout", idleTimeout);
        if (maxLifetime != null) {
            Limits.positive("maxLifetime", maxLifetime);
        }
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(framing, "framing");
        Objects.requireNonNull(originPolicy, "originPolicy");
        subprotocols = ClientOptions.tokens("subprotocol", subprotocols);
        if (pingInterval != null) {
            Limits.positive("pingInterval", pingInterval);
        }
        Limits.positive("pongTimeout", pongTimeout);
        Objects.requireNonNull(compression, "compression");
    }

    public ServerOptions withPort(int port) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing, tls,
                originPolicy, subprotocols, pingInterval, pongTimeout, compression);
    }

    public ServerOptions withListenAddress(InetAddress address) {
        return new ServerOptions(port, address, backlog, idleTimeout, maxLifetime, limits, framing, tls,
                originPolicy, subprotocols, pingInterval, pongTimeout, compression);
    }

    public ServerOptions withBacklog(int backlog) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing, tls,
                originPolicy, subprotocols, pingInterval, pongTimeout, compression);
    }

    public ServerOptions withIdleTimeout(Duration timeout) {
        return new ServerOptions(port, listenAddress, backlog, timeout, maxLifetime, limits, framing, tls,
                originPolicy, subprotocols, pingInterval, pongTimeout, compression);
    }

    public ServerOptions withMaxLifetime(Duration lifetime) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, lifetime, limits, framing, tls,
                originPolicy, subprotocols, pingInterval, pongTimeout, compression);
    }

    public ServerOptions withLimits(Limits limits) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing, tls,
                originPolicy, subprotocols, pingInterval, pongTimeout, compression);
    }

    public ServerOptions withFraming(Framing framing) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing, tls,
                originPolicy, subprotocols, pingInterval, pongTimeout, compression);
    }

    /** Serves {@code wss://} with this context; null for plain TCP. */
    public ServerOptions withTls(SSLContext tls) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing, tls,
                originPolicy, subprotocols, pingInterval, pongTimeout, compression);
    }

    public ServerOptions withOriginPolicy(OriginPolicy policy) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing, tls,
                policy, subprotocols, pingInterval, pongTimeout, compression);
    }

    public ServerOptions withSubprotocols(String... subprotocols) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing, tls,
                originPolicy, List.of(subprotocols), pingInterval, pongTimeout, compression);
    }

    /** Sends a Ping after {@code interval} with nothing received (null: never). */
    public ServerOptions withPingInterval(Duration interval) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing, tls,
                originPolicy, subprotocols, interval, pongTimeout, compression);
    }

    public ServerOptions withPongTimeout(Duration timeout) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing, tls,
                originPolicy, subprotocols, pingInterval, timeout, compression);
    }

    /** permessage-deflate: what the server agrees to; {@link Compression#DISABLED} to decline every offer. */
    public ServerOptions withCompression(Compression compression) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing, tls,
                originPolicy, subprotocols, pingInterval, pongTimeout, compression);
    }
}
