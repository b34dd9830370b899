package dev.duplex.protocol.deflate;

import dev.duplex.protocol.Role;

import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * One connection's permessage-deflate (RFC 7692 §7): compresses outgoing messages with {@link Deflater} and
 * decompresses incoming ones with {@link Inflater}, both in raw mode, with the {@code 00 00 ff ff} tail of a sync flush
 * stripped after compressing and put back before decompressing (§7.2.1, §7.2.2).
 *
 * <p>A side without context takeover borrows its stream from {@link Zlib} for one message and gives it back; a side
 * with context takeover keeps its own until {@link #release()}. Created lazily, so an idle connection holds none.
 *
 * <p>{@code Deflater}'s window is fixed at 32 KiB. When the peer asks for a smaller one
 * ({@code server_max_window_bits} from a client, {@code client_max_window_bits} from a server), the compressor is
 * fully flushed after every 2^bits input bytes: a full flush forgets the history, so no back-reference can reach
 * further back than 2^bits bytes, and the peer's smaller window is enough. The tests check every distance in the
 * output against the window.
 */
public final class PerMessageDeflate {

    /** What a sync flush ends with, and what the receiver appends to each message (RFC 7692 §7.2.2). */
    static final byte[] TAIL = {0x00, 0x00, (byte) 0xFF, (byte) 0xFF};

    private final Zlib zlib;
    private final int threshold;
    private final int level;
    private final boolean ownContextTakeover;
    private final boolean peerContextTakeover;
    /** 2^bits when the own window must be smaller than Deflater's 32 KiB, else 0. */
    private final int ownWindow;

    private Deflater deflater;
    private Inflater inflater;
    private long sinceFullFlush;

    /**
     * @param threshold messages shorter than this are sent uncompressed
     * @param level     the zlib level, -1 for the default
     */
    public PerMessageDeflate(Role role, DeflateNegotiation.Agreement agreement, int threshold, int level, Zlib zlib) {
        this.zlib = zlib;
        this.threshold = threshold;
        this.level = level;
        boolean server = role == Role.SERVER;
        this.ownContextTakeover = !(server ? agreement.serverNoContextTakeover() : agreement.clientNoContextTakeover());
        this.peerContextTakeover = !(server ? agreement.clientNoContextTakeover() : agreement.serverNoContextTakeover());
        int bits = server ? agreement.serverMaxWindowBits() : agreement.clientMaxWindowBits();
        this.ownWindow = bits < 15 ? 1 << bits : 0;
    }

    /** Whether this side's compressor keeps its context between messages. */
    public boolean keepsContext() {
        return ownContextTakeover;
    }

    /** Whether a message of this many bytes is worth compressing. */
    public boolean compresses(int length) {
        return length >= threshold;
    }

    /**
     * Compresses one whole message.
     *
     * @param headroom bytes left free at the start of the array for the frame header
     * @return the compressed payload: {@code array[headroom, end)}
     */
    public Compressed compress(byte[] payload, int off, int len, int headroom) {
        if (len == 0) {
            // RFC 7692 §7.2.3.6: an empty message is one empty stored block's first byte. (zlib writes nothing at
            // all for a sync flush with no input since the last flush, so it cannot be asked for it.)
            byte[] out = new byte[headroom + 1];
            return new Compressed(out, headroom + 1);
        }
        Deflater d = deflater();
        byte[] out = new byte[headroom + Math.max(64, len / 2 + 16)];
        int pos = headroom;
        int fed = 0;
        do {
            int chunk = len - fed;
            if (ownWindow != 0) {
                chunk = (int) Math.min(chunk, ownWindow - sinceFullFlush);
            }
            d.setInput(payload, off + fed, chunk);
            fed += chunk;
            sinceFullFlush += chunk;
            boolean windowFull = ownWindow != 0 && sinceFullFlush == ownWindow;
            int mode = windowFull ? Deflater.FULL_FLUSH : fed == len ? Deflater.SYNC_FLUSH : Deflater.NO_FLUSH;
            while (true) {
                pos += d.deflate(out, pos, out.length - pos, mode);
                if (pos < out.length && d.needsInput()) {
                    break;
                }
                out = Arrays.copyOf(out, out.length * 2);
            }
            if (windowFull) {
                sinceFullFlush = 0;
            }
        } while (fed < len);
        // A sync or full flush ends with the empty stored block 00 00 ff ff, which is not sent (§7.2.1 step 4).
        if (pos - headroom < 4 || !Arrays.equals(out, pos - 4, pos, TAIL, 0, 4)) {
            throw new IllegalStateException("zlib did not end the message with a sync flush");
        }
        if (!ownContextTakeover) {
            zlib.recycle(d);
            deflater = null;
            sinceFullFlush = 0;
        }
        return new Compressed(out, pos - 4);
    }

    /** A compressed payload in {@code array}, ending before {@code end}. */
    public record Compressed(byte[] array, int end) {
    }

    private Deflater deflater() {
        if (deflater == null) {
            deflater = zlib.deflater();
            deflater.setLevel(level);
        }
        return deflater;
    }

    /** Begins decompressing a message whose first frame had RSV1 set. */
    public void startMessage() {
        if (inflater == null) {
            inflater = zlib.inflater();
        }
    }

    /** Gives the decompressor the next compressed bytes of the message. */
    public void setInput(byte[] compressed, int off, int len) {
        inflater.setInput(compressed, off, len);
    }

    /** Gives the decompressor the tail that the sender stripped (§7.2.2), after the message's last frame. */
    public void setTail() {
        inflater.setInput(TAIL);
    }

    /**
     * Decompresses into {@code out}.
     *
     * @return the bytes written, 0 once the input given so far is used up
     * @throws DataFormatException the compressed data is invalid
     */
    public int inflate(byte[] out, int off, int len) throws DataFormatException {
        int n = inflater.inflate(out, off, len);
        if (n == 0 && !inflater.needsInput() && !inflater.finished()) {
            throw new DataFormatException(inflater.needsDictionary() ? "compressed data asks for a dictionary"
                    : "compressed data makes no progress");
        }
        return n;
    }

    /** Whether the input given so far has been decompressed completely. */
    public boolean needsInput() {
        return inflater.needsInput() || inflater.finished();
    }

    /** Ends a message: the decompressor goes back to the pool without context takeover, or after a final block. */
    public void endMessage() {
        if (!peerContextTakeover || inflater.finished()) {
            zlib.recycle(inflater);
            inflater = null;
        }
    }

    /** Gives back or frees every stream: the connection is over. */
    public void release() {
        if (deflater != null) {
            zlib.recycle(deflater);
            deflater = null;
        }
        if (inflater != null) {
            zlib.recycle(inflater);
            inflater = null;
        }
    }
}
