package dev.duplex.protocol.handshake;

import dev.duplex.HandshakeException;
import dev.duplex.Headers;

/**
 * The server accepted an extension the client did not offer, or accepted it with parameters the offer does not allow
 * (RFC 6455 §4.1, RFC 7692 §5): the client fails the connection with 1010 (Mandatory Ext.).
 */
public final class ExtensionMismatch extends HandshakeException {

    public ExtensionMismatch(String message, int status, Headers headers) {
        super(message, status, headers);
    }
}
