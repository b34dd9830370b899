package dev.duplex.protocol;

/** Encodes RFC 6455 §5.2 frame headers, with the minimal length encoding the RFC requires. */
public final class FrameWriter {

    private FrameWriter() {
    }

    /** The header size for a payload of this length. */
    public static int headerLength(long payloadLength, boolean masked) {
        int n = payloadLength <= 125 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
        return masked ? n + 4 : n;
    }

    /**
     * Writes a frame header into {@code dst} at {@code off}.
     *
     * @param rsv     the reserved bits, RSV1 as 0b100
     * @param masked  whether a mask key follows (client frames); the payload is not touched here
     * @return the header's length
     */
    public static int writeHeader(byte[] dst, int off, boolean fin, int rsv, int opcode, long payloadLength,
                                  boolean masked, int maskKey) {
        int p = off;
        dst[p++] = (byte) ((fin ? 0x80 : 0) | (rsv & 0x7) << 4 | (opcode & 0xF));
        int maskBit = masked ? 0x80 : 0;
        if (payloadLength <= 125) {
            dst[p++] = (byte) (maskBit | payloadLength);
        } else if (payloadLength <= 0xFFFF) {
            dst[p++] = (byte) (maskBit | 126);
            dst[p++] = (byte) (payloadLength >>> 8);
            dst[p++] = (byte) payloadLength;
        } else {
            dst[p++] = (byte) (maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                dst[p++] = (byte) (payloadLength >>> shift);
            }
        }
        if (masked) {
            dst[p++] = (byte) (maskKey >>> 24);
            dst[p++] = (byte) (maskKey >>> 16);
            dst[p++] = (byte) (maskKey >>> 8);
            dst[p++] = (byte) maskKey;
        }
        return p - off;
    }
}
