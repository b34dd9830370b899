package dev.duplex;

import java.io.IOException;
import java.util.Objects;

/**
 * A WebSocket connection failed or was closed: thrown by {@link WebSocket#receive()} after a failure, and by
 * {@link WebSocket#send(Message)} once the connection can no longer send. {@link #status()} is the close status
 * that ended the connection (1006 when it ended without a closing handshake).
 */
public class WebSocketException extends IOException {

    private final CloseStatus status;

    public WebSocketException(String message, CloseStatus status) {
        this(message, status, null);
    }

    public WebSocketException(String message, CloseStatus status, Throwable cause) {
        super(message, cause);
        this.status = Objects.requireNonNull(status, "status");
    }

    /** The close status that ended the connection. */
    public CloseStatus status() {
        return status;
    }
}
