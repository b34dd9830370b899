package dev.duplex.protocol;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Frames as the RFC prints them: hex with optional spaces, and small byte-array arithmetic for building cases. */
public final class Bytes {

    private static final HexFormat SPACED = HexFormat.ofDelimiter(" ");

    private Bytes() {
    }

    /** Bytes from hex digits; spaces, newlines and "0x" prefixes are ignored so that RFC listings paste in as-is. */
    public static byte[] hex(String hex) {
        String digits = hex.replace("0x", "").replaceAll("[\\s,]", "");
        return HexFormat.of().parseHex(digits);
    }

    /** Lower-case hex with one space between bytes, the form every expected value in these tests is written in. */
    public static String hex(byte[] bytes) {
        return SPACED.formatHex(bytes);
    }

    /** The remaining bytes of a buffer, without moving its position. */
    public static byte[] of(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /** Normalizes a hex string to {@link #hex(byte[])}'s form, so expected values can be written loosely. */
    public static String normalize(String hex) {
        return hex(hex(hex));
    }

    public static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** {@code length} bytes counting up from 0 and wrapping at 256: a payload whose every position is visible. */
    public static byte[] counting(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }
}
