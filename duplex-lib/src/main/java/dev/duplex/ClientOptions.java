package dev.duplex;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link WebSocket#connect} connects: immutable, changed with the {@code with…} methods.
 *
 * @param limits         size and time limits of the connection
 * @param connectTimeout time allowed for the TCP connect (default 10 s); the opening handshake that follows has
 *                       {@link Limits#handshakeTimeout()}
 * @param idleTimeout    nothing received or sent for this long closes the connection with 1001 (default 1 h)
 * @param framing        the wire format (default {@link Framing#RFC6455})
 */
public record ClientOptions(Limits limits, Duration connectTimeout, Duration idleTimeout, Framing framing) {

    /** Default limits, 10 s connect timeout, 1 h idle timeout, RFC 6455. */
    public static final ClientOptions DEFAULT =
            new ClientOptions(Limits.DEFAULT, Duration.ofSeconds(10), Duration.ofHours(1), Framing.RFC6455);

    public ClientOptions {
        Objects.requireNonNull(limits, "limits");
        Limits.positive("connectTimeout", connectTimeout);
        Limits.positive("idleTimeout", idleTimeout);
        Objects.requireNonNull(framing, "framing");
    }

    public ClientOptions withLimits(Limits limits) {
        return new ClientOptions(limits, connectTimeout, idleTimeout, framing);
    }

    public ClientOptions withConnectTimeout(Duration timeout) {
        return new ClientOptions(limits, timeout, idleTimeout, framing);
    }

    public ClientOptions withIdleTimeout(Duration timeout) {
        return new ClientOptions(limits, connectTimeout, timeout, framing);
    }

    public ClientOptions withFraming(Framing framing) {
        return new ClientOptions(limits, connectTimeout, idleTimeout, framing);
    }
}
