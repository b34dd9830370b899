package dev.duplex.io;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * One RFC 6455 frame as bytes on the wire, built or parsed by the tests themselves, independently of the library's
 * codec: FIN, the three RSV bits, the opcode and the payload, each chosen freely (so also wrongly).
 *
 * @param rsv the reserved bits with RSV1 as 0b100, RSV2 as 0b010 and RSV3 as 0b001
 */
public record RawFrame(boolean fin, int rsv, int opcode, byte[] payload) {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    public static final int RSV1 = 0b100;
    public static final int RSV2 = 0b010;
    public static final int RSV3 = 0b001;

    public static RawFrame text(String text) {
        return new RawFrame(true, 0, TEXT, utf8(text));
    }

    /** The first frame of a text message; {@code fin} false means continuations follow. */
    public static RawFrame text(boolean fin, byte[] payload) {
        return new RawFrame(fin, 0, TEXT, payload);
    }

    public static RawFrame binary(byte[] payload) {
        return new RawFrame(true, 0, BINARY, payload);
    }

    public static RawFrame binary(boolean fin, byte[] payload) {
        return new RawFrame(fin, 0, BINARY, payload);
    }

    public static RawFrame continuation(boolean fin, byte[] payload) {
        return new RawFrame(fin, 0, CONTINUATION, payload);
    }

    public static RawFrame continuation(boolean fin, String text) {
        return continuation(fin, utf8(text));
    }

    public static RawFrame ping(String payload) {
        return new RawFrame(true, 0, PING, utf8(payload));
    }

    public static RawFrame pong(byte[] payload) {
        return new RawFrame(true, 0, PONG, payload);
    }

    /** A Close frame with a status code and a reason. */
    public static RawFrame close(int code, String reason) {
        byte[] r = utf8(reason);
        byte[] payload = new byte[2 + r.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(r, 0, payload, 2, r.length);
        return new RawFrame(true, 0, CLOSE, payload);
    }

    public RawFrame withRsv(int rsv) {
        return new RawFrame(fin, rsv, opcode, payload);
    }

    /** The whole frame: header, then the payload, masked with {@code maskKey} when it is not null. */
    public byte[] encode(Integer maskKey) {
        byte[] header = header(fin, rsv, opcode, payload.length, maskKey);
        byte[] frame = new byte[header.length + payload.length];
        System.arraycopy(header, 0, frame, 0, header.length);
        System.arraycopy(payload, 0, frame, header.length, payload.length);
        if (maskKey != null) {
            mask(frame, header.length, payload.length, maskKey);
        }
        return frame;
    }

    /**
     * A frame header declaring any 64-bit length (RFC 6455 §5.2), without its payload: the shortest length encoding,
     * except that a negative {@code length} is written as the 64-bit pattern it is (MSB set).
     */
    public static byte[] header(boolean fin, int rsv, int opcode, long length, Integer maskKey) {
        int extended = length >= 0 && length <= 125 ? 0 : length >= 0 && length <= 0xFFFF ? 2 : 8;
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

    /** RFC 6455 §5.3: octet i is XORed with octet (i mod 4) of the key, the key's most significant byte first. */
    static void mask(byte[] data, int offset, int length, int maskKey) {
        for (int i = 0; i < length; i++) {
            data[offset + i] ^= (byte) (maskKey >>> (24 - 8 * (i & 3)));
        }
    }

    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status code of a Close frame, or 1005 (No Status Rcvd) when its payload is empty. */
    public int closeCode() {
        if (opcode != CLOSE) {
            throw new AssertionError("not a Close frame: " + this);
        }
        return payload.length < 2 ? 1005 : (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF);
    }

    public String closeReason() {
        return payload.length <= 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String opcodeName(int opcode) {
        return switch (opcode) {
            case CONTINUATION -> "CONT";
            case TEXT -> "TEXT";
            case BINARY -> "BINARY";
            case CLOSE -> "CLOSE";
            case PING -> "PING";
            case PONG -> "PONG";
            default -> "0x" + Integer.toHexString(opcode);
        };
    }

    @Override
    public String toString() {
        String shown = opcode == CLOSE && payload.length >= 2 ? closeCode() + " \"" + closeReason() + "\""
                : payload.length <= 32 ? HexFormat.of().formatHex(payload) : payload.length + " bytes";
        return opcodeName(opcode) + (fin ? "" : " (no FIN)") + (rsv != 0 ? " rsv=" + rsv : "") + " [" + shown + "]";
    }
}
