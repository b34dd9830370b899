package dev.duplex;

import java.util.zip.Deflater;

/**
 * permessage-deflate (RFC 7692): whether a connection compresses its messages, and how. On a server it says what
 * the server agrees to; on a client what the client offers. The server has the last word.
 *
 * <p>Memory is the cost to weigh. A compressor (zlib, 32 KiB window) holds about 256 KiB of native memory and a
 * decompressor about 40 KiB. A side that keeps its <em>context</em> across messages (better compression of similar
 * messages) needs its own for the connection's whole life; without context takeover both are borrowed from a
 * small shared pool for one message at a time, so an idle connection costs nothing. Hence the defaults: a server
 * asks for no context takeover either way ({@link #LOW_MEMORY}, its usual 10,000 idle connections cost no native
 * memory), a client offers context takeover ({@link #DEFAULT}, a client has few connections).
 *
 * @param enabled               whether permessage-deflate is offered (client) or accepted (server)
 * @param serverContextTakeover whether the server's compressor keeps its context between messages; false sends or
 *                              asks for {@code server_no_context_takeover}
 * @param clientContextTakeover whether the client's compressor keeps its context between messages; false sends or
 *                              asks for {@code client_no_context_takeover}
 * @param serverMaxWindowBits   the server compressor's LZ77 window, 8-15 (15 = 32 KiB): a client offers
 *                              {@code server_max_window_bits} when below 15; a server uses at most this
 * @param clientMaxWindowBits   the client compressor's window, 8-15: a client offers {@code client_max_window_bits}
 *                              (with this value when below 15); a server asks for it when below 15
 * @param threshold             messages shorter than this many bytes are sent uncompressed (default 256)
 * @param level                 the zlib level, 0-9, or -1 for zlib's default (6)
 */
public record Compression(boolean enabled, boolean serverContextTakeover, boolean clientContextTakeover,
                          int serverMaxWindowBits, int clientMaxWindowBits, int threshold, int level) {

    /** Enabled, context takeover both ways, 32 KiB windows, messages of 256 bytes or more: the client's default. */
    public static final Compression DEFAULT =
            new Compression(true, true, true, 15, 15, 256, Deflater.DEFAULT_COMPRESSION);

    /** Enabled, no context takeover either way: no native memory held by an idle connection. The server's default. */
    public static final Compression LOW_MEMORY = DEFAULT.withContextTakeover(false, false);

    /** Not offered, not accepted. */
    public static final Compression DISABLED =
            new Compression(false, true, true, 15, 15, 256, Deflater.DEFAULT_COMPRESSION);

    public Compression {
        windowBits("serverMaxWindowBits", serverMaxWindowBits);
        windowBits("clientMaxWindowBits", clientMaxWindowBits);
        if (threshold < 0) {
            throw new IllegalArgumentException("threshold must not be negative, not " + threshold);
        }
        if (level < -1 || level > 9) {
            throw new IllegalArgumentException("level is -1 or 0-9, not " + level);
        }
    }

    private static void windowBits(String name, int bits) {
        if (bits < 8 || bits > 15) {
            throw new IllegalArgumentException(name + " is 8-15, not " + bits);
        }
    }

    public Compression withEnabled(boolean enabled) {
        return new Compression(enabled, serverContextTakeover, clientContextTakeover, serverMaxWindowBits,
                clientMaxWindowBits, threshold, level);
    }

    public Compression withContextTakeover(boolean server, boolean client) {
        return new Compression(enabled, server, client, serverMaxWindowBits, clientMaxWindowBits, threshold, level);
    }

    public Compression withMaxWindowBits(int server, int client) {
        return new Compression(enabled, serverContextTakeover, clientContextTakeover, server, client, threshold,
                level);
    }

    public Compression withThreshold(int bytes) {
        return new Compression(enabled, serverContextTakeover, clientContextTakeover, serverMaxWindowBits,
                clientMaxWindowBits, bytes, level);
    }

    public Compression withLevel(int level) {
        return new Compression(enabled, serverContextTakeover, clientContextTakeover, serverMaxWindowBits,
                clientMaxWindowBits, threshold, level);
    }
}
