package dev.duplex;

import java.net.InetAddress;
import java.time.Duration;
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
 */
public record ServerOptions(
        int port,
        InetAddress listenAddress,
        int backlog,
        Duration idleTimeout,
        Duration maxLifetime,
        Limits limits,
        Framing framing) {

    /** Port 0, every interface, backlog 128, 1 h idle timeout, no lifetime cap, default limits, RFC 6455. */
    public static final ServerOptions DEFAULT =
            new ServerOptions(0, null, 128, Duration.ofHours(1), null, Limits.DEFAULT, Framing.RFC6455);

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
    }

    public ServerOptions withPort(int port) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing);
    }

    public ServerOptions withListenAddress(InetAddress address) {
        return new ServerOptions(port, address, backlog, idleTimeout, maxLifetime, limits, framing);
    }

    public ServerOptions withBacklog(int backlog) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing);
    }

    public ServerOptions withIdleTimeout(Duration timeout) {
        return new ServerOptions(port, listenAddress, backlog, timeout, maxLifetime, limits, framing);
    }

    public ServerOptions withMaxLifetime(Duration lifetime) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, lifetime, limits, framing);
    }

    public ServerOptions withLimits(Limits limits) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing);
    }

    public ServerOptions withFraming(Framing framing) {
        return new ServerOptions(port, listenAddress, backlog, idleTimeout, maxLifetime, limits, framing);
    }
}
