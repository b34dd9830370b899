package dev.duplex.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deliberately naive RFC 6455 §5.2 frame encoder and splitter, written byte by byte and sharing no code with
 * {@link FrameWriter} or {@link Masking}, so that expected bytes do not come from the code under test.
 */
public final class Frames {

    private Frames() {
    }

    /** An unmasked frame: what a server sends. */
    public static byte[] frame(boolean fin, int opcode, byte[] payload) {
        return encode(fin, opcode, payload, false, 0);
    }

    /** An unmasked frame with reserved bits ({@code 0b100} is RSV1, the permessage-deflate bit). */
    public static byte[] frame(boolean fin, int opcode, byte[] payload, int rsv) {
        byte[] frame = encode(fin, opcode, payload, false, 0);
        frame[0] |= (byte) (rsv << 4);
        return frame;
    }

    /** A masked frame: what a client sends. */
    public static byte[] masked(boolean fin, int opcode, byte[] payload, int maskKey) {
        return encode(fin, opcode, payload, true, maskKey);
    }

    /** A Close frame with this code and reason, masked when {@code maskKey} is not null. */
    public static byte[] close(int code, String reason, Integer maskKey) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return maskKey == null ? frame(true, 0x8, payload) : masked(true, 0x8, payload, maskKey);
    }

    private static byte[] encode(boolean fin, int opcode, byte[] payload, boolean masked, int maskKey) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
        out.write((fin ? 0x80 : 0) | opcode);
        int maskBit = masked ? 0x80 : 0;
        long n = payload.length;
        if (n < 126) {
            out.write(maskBit | (int) n);
        } else if (n < 65536) {
            out.write(maskBit | 126);
            out.write((int) (n >> 8) & 0xFF);
            out.write((int) n & 0xFF);
        } else {
            out.write(maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (n >> (8 * i)) & 0xFF);
            }
        }
        byte[] key = {(byte) (maskKey >> 24), (byte) (maskKey >> 16), (byte) (maskKey >> 8), (byte) maskKey};
        if (masked) {
            out.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(masked ? payload[i] ^ key[i % 4] : payload[i]);
        }
        return out.toByteArray();
    }

    /**
     * The masked form of an unmasked frame, which may be cut short: the mask bit set, the key inserted after the
     * length, and whatever payload is present masked. Lets one hex literal serve both roles.
     */
    public static byte[] mask(byte[] unmaskedFrame, int maskKey) {
        if ((unmaskedFrame[1] & 0x80) != 0) {
            throw new IllegalArgumentException("frame is already masked");
        }
        int len7 = unmaskedFrame[1] & 0x7F;
        int headerLength = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
        byte[] key = {(byte) (maskKey >> 24), (byte) (maskKey >> 16), (byte) (maskKey >> 8), (byte) maskKey};
        byte[] out = new byte[unmaskedFrame.length + 4];
        System.arraycopy(unmaskedFrame, 0, out, 0, headerLength);
        out[1] |= (byte) 0x80;
        System.arraycopy(key, 0, out, headerLength, 4);
        for (int i = headerLength; i < unmaskedFrame.length; i++) {
            out[i + 4] = (byte) (unmaskedFrame[i] ^ key[(i - headerLength) % 4]);
        }
        return out;
    }

    /** Cuts a byte stream at frame boundaries; a partial frame at the end is returned as it is. */
    public static List<byte[]> split(byte[] stream) {
        List<byte[]> frames = new ArrayList<>();
        int at = 0;
        while (at < stream.length) {
            long end = at + (long) frameLength(stream, at);
            if (end > stream.length || end <= at) {
                end = stream.length;
            }
            frames.add(Arrays.copyOfRange(stream, at, (int) end));
            at = (int) end;
        }
        return frames;
    }

    /** The total length of the frame starting at {@code at}, or -1 when its header is incomplete. */
    private static int frameLength(byte[] s, int at) {
        if (s.length - at < 2) {
            return -1;
        }
        int len7 = s[at + 1] & 0x7F;
        int header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((s[at + 1] & 0x80) != 0 ? 4 : 0);
        if (s.length - at < header) {
            return -1;
        }
        long length = len7;
        if (len7 == 126) {
            length = (s[at + 2] & 0xFF) << 8 | (s[at + 3] & 0xFF);
        } else if (len7 == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = length << 8 | (s[at + 2 + i] & 0xFF);
            }
        }
        // A length with its top bit set is negative here; it runs past any stream, as a huge one would.
        return length < 0 ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, header + length);
    }

    /** Unmasks a masked frame's payload: the reverse of {@link #masked}, for reading what a client wrote. */
    public static byte[] payload(byte[] frame) {
        int len7 = frame[1] & 0x7F;
        int at = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
        boolean masked = (frame[1] & 0x80) != 0;
        byte[] key = masked ? Arrays.copyOfRange(frame, at, at + 4) : new byte[4];
        if (masked) {
            at += 4;
        }
        byte[] payload = Arrays.copyOfRange(frame, at, frame.length);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= key[i % 4];
        }
        return payload;
    }
}
