package dev.duplex.protocol;

import java.nio.ByteBuffer;

/**
 * A push parser for the RFC 6455 §5.2 frame layout: syntax only. It reads a header (which may arrive split across
 * any number of reads), then hands the payload on in parts as it arrives, unmasked. The protocol's rules (which
 * opcodes, bits and lengths are allowed) live in {@link Rfc6455Protocol}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 * </pre>
 */
public final class FrameReader {

    private final byte[] header = new byte[14];
    private int headerSize;

    private boolean fin;
    private int rsv;
    private int opcode;
    private boolean masked;
    private int maskKey;
    private long length;
    private long remaining;
    private int maskPosition;

    /**
     * Reads (the rest of) a frame header from {@code in}, consuming only header bytes.
     *
     * @return true once the header is complete and its fields can be read
     */
    public boolean readHeader(ByteBuffer in) {
        while (true) {
            int need = headerSize < 2 ? 2 : headerLength(header[1]);
            if (headerSize == need) {
                break;
            }
            if (!in.hasRemaining()) {
                return false;
            }
            int n = Math.min(need - headerSize, in.remaining());
            in.get(header, headerSize, n);
            headerSize += n;
        }
        int b0 = header[0] & 0xFF;
        int b1 = header[1] & 0xFF;
        fin = (b0 & 0x80) != 0;
        rsv = (b0 >> 4) & 0x7;
        opcode = b0 & 0xF;
        masked = (b1 & 0x80) != 0;
        int len7 = b1 & 0x7F;
        int pos = 2;
        if (len7 == 126) {
            length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            pos = 4;
        } else if (len7 == 127) {
            long l = 0;
            for (int i = 2; i < 10; i++) {
                l = (l << 8) | (header[i] & 0xFF);
            }
            length = l; // negative when the most significant bit is set; the protocol rejects it
            pos = 10;
        } else {
            length = len7;
        }
        maskKey = masked
                ? (header[pos] & 0xFF) << 24 | (header[pos + 1] & 0xFF) << 16 | (header[pos + 2] & 0xFF) << 8
                        | (header[pos + 3] & 0xFF)
                : 0;
        headerSize = 0;
        remaining = Math.max(length, 0);
        maskPosition = 0;
        return true;
    }

    private static int headerLength(byte b1) {
        int len7 = b1 & 0x7F;
        int n = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
        return (b1 & 0x80) != 0 ? n + 4 : n;
    }

    /**
     * Copies as much of the current frame's payload as {@code in} holds into {@code dst} at {@code off}, unmasked.
     * {@code dst} must have room for {@code min(remaining(), in.remaining())} bytes.
     *
     * @return the number of bytes copied
     */
    public int readPayload(ByteBuffer in, byte[] dst, int off) {
        int n = (int) Math.min(remaining, in.remaining());
        in.get(dst, off, n);
        if (masked) {
            maskPosition = Masking.mask(dst, off, n, maskKey, maskPosition);
        }
        remaining -= n;
        return n;
    }

    /** Discards payload bytes of the current frame that {@code in} holds. */
    public void skipPayload(ByteBuffer in) {
        int n = (int) Math.min(remaining, in.remaining());
        in.position(in.position() + n);
        remaining -= n;
    }

    public boolean fin() {
        return fin;
    }

    /** The three reserved bits, RSV1 as 0b100. */
    public int rsv() {
        return rsv;
    }

    /** The 4-bit opcode, reserved values included. */
    public int opcode() {
        return opcode;
    }

    public boolean masked() {
        return masked;
    }

    /** The declared payload length; negative when the 64-bit length had its most significant bit set. */
    public long length() {
        return length;
    }

    /** Payload bytes of the current frame not yet read. */
    public long remaining() {
        return remaining;
    }
}
