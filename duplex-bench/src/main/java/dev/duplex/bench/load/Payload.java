package dev.duplex.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The messages of one scenario, and the check of their echoes. Every message is {@code size} bytes: a 16-character
 * stamp naming the connection and the message's sequence number on it, then fixed filler (ASCII letters for text,
 * random bytes for binary). An echo matches only if it has the same type and length and carries exactly the bytes
 * that were sent, stamp included, so a reordered, duplicated or corrupted echo is caught.
 */
public final class Payload {

    /** Length of the stamp: 16 hexadecimal digits. */
    public static final int STAMP = 16;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final int size;
    private final boolean binary;
    private final byte[] filler;

    public Payload(int size, boolean binary) {
        if (size < STAMP) {
            throw new IllegalArgumentException("a message holds at least the " + STAMP + "-byte stamp, not " + size);
        }
        this.size = size;
        this.binary = binary;
        this.filler = new byte[size];
        SplittableRandom random = new SplittableRandom(size);
        for (int i = 0; i < size; i++) {
            filler[i] = binary ? (byte) random.nextInt(256) : (byte) ('a' + random.nextInt(26));
        }
    }

    public int size() {
        return size;
    }

    public boolean isBinary() {
        return binary;
    }

    /** Writes the stamp of message {@code seq} on connection {@code connection} into {@code into[0..16)}. */
    public static void stamp(int connection, long seq, byte[] into) {
        stamp(connection, seq, into, 0);
    }

    private static void stamp(int connection, long seq, byte[] into, int offset) {
        long value = ((long) connection << 40) | (seq & ((1L << 40) - 1));
        for (int i = STAMP - 1; i >= 0; i--) {
            into[offset + i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
    }

    /** Copies message {@code seq} of {@code connection} into {@code dest} at {@code offset}. */
    public void write(int connection, long seq, byte[] dest, int offset) {
        stamp(connection, seq, dest, offset);
        System.arraycopy(filler, STAMP, dest, offset + STAMP, size - STAMP);
    }

    /** Message {@code seq} of {@code connection} as a string (text payloads). */
    public String text(int connection, long seq) {
        byte[] bytes = new byte[size];
        write(connection, seq, bytes, 0);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Whether {@code text} is exactly message {@code seq} of {@code connection}. */
    public boolean matches(CharSequence text, int connection, long seq) {
        if (text.length() != size) {
            return false;
        }
        byte[] s = new byte[STAMP];
        stamp(connection, seq, s);
        for (int i = 0; i < size; i++) {
            int expected = (i < STAMP ? s[i] : filler[i]) & 0xff;
            if (text.charAt(i) != expected) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code len} bytes of an echo, starting at byte {@code position} of the message, are the bytes that
     * were sent. {@code stamp} is the expected message's stamp.
     */
    public boolean matches(byte[] stamp, int position, byte[] data, int offset, int len) {
        if (position + len > size) {
            return false;
        }
        int i = 0;
        for (; i < len && position + i < STAMP; i++) {
            if (data[offset + i] != stamp[position + i]) {
                return false;
            }
        }
        return Arrays.mismatch(filler, position + i, position + len, data, offset + i, offset + len) < 0;
    }
}
