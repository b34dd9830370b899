package dev.duplex.conformance;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * One RFC 6455 frame as the suite writes it: every field chosen freely, so also wrongly (reserved bits, reserved
 * opcodes, fragmented control frames). The suite's own codec, independent of the library under test.
 *
 * @param rsv the reserved bits, RSV1 as 0b100
 */
record Frame(boolean fin, int rsv, int opcode, byte[] payload) {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    static Frame of(int opcode, byte[] payload) {
        return new Frame(true, 0, opcode, payload);
    }

    static Frame of(int opcode, String payload) {
        return of(opcode, utf8(payload));
    }

    static Frame of(int opcode) {
        return of(opcode, new byte[0]);
    }

    /** A Close frame with a status code and a reason given as bytes (which need not be UTF-8). */
    static Frame close(int code, byte[] reason) {
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(reason, 0, payload, 2, reason.length);
        return of(CLOSE, payload);
    }

    Frame fin(boolean fin) {
        return new Frame(fin, rsv, opcode, payload);
    }

    Frame rsv(int rsv) {
        return new Frame(fin, rsv, opcode, payload);
    }

    /** The whole frame: header, then the payload, masked with {@code maskKey} unless it is null. */
    byte[] encode(Integer maskKey) {
        byte[] header = header(fin, rsv, opcode, payload.length, maskKey);
        byte[] frame = new byte[header.length + payload.length];
        System.arraycopy(header, 0, frame, 0, header.length);
        System.arraycopy(payload, 0, frame, header.length, payload.length);
        if (maskKey != null) {
            mask(frame, header.length, payload.length, maskKey, 0);
        }
        return frame;
    }

    /** RFC 6455 §5.2: the shortest length encoding, then the masking key when there is one. */
    static byte[] header(boolean fin, int rsv, int opcode, long length, Integer maskKey) {
        int extended = length <= 125 ? 0 : length <= 0xFFFF ? 2 : 8;
        ByteBuffer b = ByteBuffer.allocate(2 + extended + (maskKey == null ? 0 : 4));
        b.put((byte) ((fin ? 0x80 : 0) | (rsv & 0x7) << 4 | (opcode & 0xF)));
        int maskBit = maskKey == null ? 0 : 0x80;
        switch (extended) {
            case 0 -> b.put((byte) (maskBit | (int) length));
            case 2 -> b.put((byte) (maskBit | 126)).putShort((short) length);
            default -> b.put((byte) (maskBit | 127)).putLong(length);
        }
        if (maskKey != null) {
            b.putInt(maskKey);
        }
        return b.array();
    }

    /**
     * RFC 6455 §5.3: octet i of the payload is XORed with octet (i mod 4) of the key, most significant first;
     * {@code position} is the index in the payload of {@code data[offset]}.
     */
    static void mask(byte[] data, int offset, int length, int maskKey, long position) {
        for (int i = 0; i < length; i++) {
            data[offset + i] ^= (byte) (maskKey >>> (24 - 8 * (int) ((position + i) & 3)));
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        String shown = payload.length <= 32 ? HexFormat.of().formatHex(payload) : payload.length + " bytes";
        return "opcode " + opcode + (fin ? "" : " (no FIN)") + (rsv != 0 ? " rsv=" + rsv : "") + " [" + shown + "]";
    }
}
