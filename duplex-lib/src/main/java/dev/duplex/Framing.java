package dev.duplex;

/**
 * The wire format of a connection: Racket's {@code framing-mode}, made an explicit option of the server or client
 * instead of a per-thread parameter.
 *
 * <p>{@link #RFC6455} is the default and what every current browser and peer speaks. {@link #OLD} and {@link #NEW}
 * are the specification's legacy framings; both use the 2010 hixie-76 opening handshake and carry text only. They
 * have no masking (which RFC 6455 added for a reason), so they are off unless configured. A server configured with
 * {@code OLD} or {@code NEW} still serves RFC 6455 clients: the handshake headers tell the two apart, and the
 * configured legacy framing applies to hixie-76 clients. A client configured with {@code OLD} or {@code NEW} speaks
 * only hixie-76.
 */
public enum Framing {
    /** RFC 6455: the opening handshake with {@code Sec-WebSocket-Key}, masked client frames, binary and control frames. */
    RFC6455,
    /**
     * Racket's {@code 'old}: hixie-76 sentinel framing. A text message is {@code 0x00}, its UTF-8 bytes, {@code 0xFF};
     * the close frame is {@code 0xFF 0x00}.
     */
    OLD,
    /**
     * Racket's {@code 'new} (WHATWG, August 2010): a type byte ({@code 0xFF} text, {@code 0x00} close) and an unsigned
     * big-endian 64-bit length, then the payload; the close frame is nine {@code 0x00} bytes.
     */
    NEW
}
