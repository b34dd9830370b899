package dev.duplex.conformance;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The suite's own permessage-deflate (RFC 7692), independent of the library's: what was agreed, and one
 * connection's compressor and decompressor, with {@code java.util.zip} in raw mode.
 *
 * <p>The peer's output is held to the agreement: with no context takeover each message must inflate on its own,
 * and with a {@code *_max_window_bits} below 15 no back-reference may reach further than that window (checked with
 * {@link Distances}, as zlib opened with that window would).
 */
final class Deflate {

    static final String NAME = "permessage-deflate";
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    /**
     * What both sides agreed to, in RFC 7692's terms.
     *
     * @param serverMaxWindowBits 8-15; 15 when the parameter was not agreed
     * @param clientMaxWindowBits 8-15; 15 when the parameter was not agreed
     */
    record Agreement(boolean serverNoContextTakeover, boolean clientNoContextTakeover, int serverMaxWindowBits,
                     int clientMaxWindowBits) {
    }

    /** An extension of a {@code Sec-WebSocket-Extensions} value: its name and parameters, a value-less one as null. */
    record Extension(String name, Map<String, String> parameters) {
    }

    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    private final Inflater inflater = new Inflater(true);
    private final boolean ownContextTakeover;
    private final boolean peerContextTakeover;
    private final int ownWindow;
    private final int peerWindowBits;

    /** @param server whether this end is the server */
    Deflate(Agreement agreement, boolean server) {
        ownContextTakeover = !(server ? agreement.serverNoContextTakeover() : agreement.clientNoContextTakeover());
        peerContextTakeover = !(server ? agreement.clientNoContextTakeover() : agreement.serverNoContextTakeover());
        int ownBits = server ? agreement.serverMaxWindowBits() : agreement.clientMaxWindowBits();
        ownWindow = ownBits < 15 ? 1 << ownBits : 0;
        peerWindowBits = server ? agreement.clientMaxWindowBits() : agreement.serverMaxWindowBits();
    }

    /**
     * Compresses a whole message (RFC 7692 §7.2.1): a sync flush, its {@code 00 00 ff ff} tail removed. A window
     * smaller than Deflater's 32 KiB is kept by a full flush after each window's worth of input.
     */
    byte[] compress(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length / 2 + 64);
        byte[] chunk = new byte[Math.max(1024, Math.min(message.length + 64, 1 << 16))];
        int step = ownWindow == 0 ? Math.max(1, message.length) : ownWindow;
        int fed = 0;
        do {
            int n = Math.min(step, message.length - fed);
            deflater.setInput(message, fed, n);
            fed += n;
            int mode = ownWindow != 0 && fed < message.length ? Deflater.FULL_FLUSH : Deflater.SYNC_FLUSH;
            int produced;
            do {
                produced = deflater.deflate(chunk, 0, chunk.length, mode);
                out.write(chunk, 0, produced);
            } while (produced == chunk.length || !deflater.needsInput());
        } while (fed < message.length);
        byte[] all = out.toByteArray();
        if (!ownContextTakeover) {
            deflater.reset();
        }
        if (all.length < 4 || !Arrays.equals(all, all.length - 4, all.length, TAIL, 0, 4)) {
            throw new IllegalStateException("a sync flush did not end with 00 00 ff ff");
        }
        return Arrays.copyOf(all, all.length - 4);
    }

    /**
     * Decompresses a whole message (RFC 7692 §7.2.2).
     *
     * @throws IllegalArgumentException the payload is not valid DEFLATE, or reaches beyond the agreed window
     */
    byte[] decompress(byte[] payload) {
        byte[] stream = Arrays.copyOf(payload, payload.length + 4);
        System.arraycopy(TAIL, 0, stream, payload.length, 4);
        if (peerWindowBits < 15) {
            int farthest = Distances.farthest(stream);
            if (farthest > 1 << peerWindowBits) {
                throw new IllegalArgumentException("a back-reference of " + farthest + " bytes, beyond the agreed "
                        + "window of " + (1 << peerWindowBits));
            }
        }
        inflater.setInput(stream);
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length * 4 + 64);
        byte[] chunk = new byte[64 * 1024];
        try {
            while (true) {
                int n = inflater.inflate(chunk);
                out.write(chunk, 0, n);
                if (n == 0 && (inflater.needsInput() || inflater.finished())) {
                    break;
                }
                if (n == 0 && inflater.needsDictionary()) {
                    throw new IllegalArgumentException("compressed message asks for a dictionary");
                }
            }
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("invalid compressed message: " + e.getMessage());
        }
        if (!peerContextTakeover || inflater.finished()) {
            inflater.reset();
        }
        return out.toByteArray();
    }

    void end() {
        deflater.end();
        inflater.end();
    }

    /** RFC 6455 §9.1: extensions separated by commas, each {@code name *( ";" param [ "=" value ] )}. */
    static List<Extension> parse(List<String> headerValues) {
        List<Extension> extensions = new ArrayList<>();
        for (String value : headerValues) {
            for (String item : value.split(",")) {
                String[] parts = item.split(";");
                String name = parts[0].strip();
                if (name.isEmpty()) {
                    continue;
                }
                Map<String, String> parameters = new LinkedHashMap<>();
                for (int i = 1; i < parts.length; i++) {
                    String p = parts[i].strip();
                    int eq = p.indexOf('=');
                    String key = (eq < 0 ? p : p.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
                    String v = eq < 0 ? null : p.substring(eq + 1).strip().replace("\"", "");
                    if (parameters.containsKey(key)) {
                        key = key + "#duplicate";
                    }
                    parameters.put(key, v);
                }
                extensions.add(new Extension(name.toLowerCase(Locale.ROOT), parameters));
            }
        }
        return extensions;
    }

    /** A window size parameter value: 8-15, no leading zero; -1 when invalid. */
    static int windowBits(String value) {
        if (value == null || !value.matches("[1-9][0-9]?")) {
            return -1;
        }
        int bits = Integer.parseInt(value);
        return bits >= 8 && bits <= 15 ? bits : -1;
    }
}
