package dev.duplex;

import java.io.IOException;
import java.util.Objects;

/**
 * The opening handshake failed on the client side: the server refused it with an HTTP status, or its response
 * was not a valid WebSocket handshake response.
 */
public class HandshakeException extends IOException {

    private final int status;
    private final Headers headers;

    /**
     * @param status  the HTTP status of the response, or 0 when there was no parsable response
     * @param headers the response's header fields (empty when there were none)
     */
    public HandshakeException(String message, int status, Headers headers) {
        super(message);
        this.status = status;
        this.headers = Objects.requireNonNull(headers, "headers");
    }

    /** The HTTP status of the server's response, or 0 when there was no parsable response. */
    public int status() {
        return status;
    }

    /** The server's response header fields. */
    public Headers headers() {
        return headers;
    }
}
