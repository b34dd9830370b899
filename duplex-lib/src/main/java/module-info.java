/**
 * Duplex: a WebSocket library for Java. RFC 6455 client and server with a blocking API on virtual threads.
 * Start at {@link dev.duplex.WebSocket} and {@link dev.duplex.WebSocketServer}.
 */
module dev.duplex {
    exports dev.duplex;
}
