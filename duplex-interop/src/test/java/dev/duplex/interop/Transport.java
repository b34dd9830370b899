package dev.duplex.interop;

/** What a WebSocket connection runs over: plain TCP ({@code ws://}) or TLS ({@code wss://}). */
enum Transport {
    PLAIN("ws"),
    TLS("wss");

    private final String scheme;

    Transport(String scheme) {
        this.scheme = scheme;
    }

    /** The URI scheme: {@code ws} or {@code wss}. */
    String scheme() {
        return scheme;
    }
}
