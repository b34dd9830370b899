package dev.duplex.protocol.handshake;

import dev.duplex.Headers;

/**
 * An opening-handshake request that must be refused, with the HTTP status to refuse it with: 400 (malformed), 405
 * (not GET), 414 or 431 (too large), 426 (not a WebSocket upgrade, or a version other than 13).
 */
public final class HttpException extends Exception {

    private final int status;
    private final Headers headers;

    public HttpException(int status, String reason) {
        this(status, reason, Headers.EMPTY);
    }

    public HttpException(int status, String reason, Headers headers) {
        super(reason, null, false, false);
        this.status = status;
        this.headers = headers;
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }

    /** Header fields the response must carry, such as {@code Sec-WebSocket-Version: 13} with 426. */
    public Headers headers() {
        return headers;
    }
}
