package dev.duplex;

/**
 * The wire format of a connection: Racket's {@code framing-mode}, made an explicit option.
 *
 * <p>{@link #RFC6455} is the default and what every current browser and peer speaks.
 */
public enum Framing {
    /** RFC 6455: the opening handshake with {@code Sec-WebSocket-Key}, masked client frames, binary and control frames. */
    RFC6455
}
