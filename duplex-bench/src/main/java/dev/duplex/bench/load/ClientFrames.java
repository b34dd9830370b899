package dev.duplex.bench.load;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes the frames a client sends (RFC 6455 §5.2): always FIN, always masked with a fresh key, as §5.3 says: "The
 * masking key is a 32-bit value chosen at random by the client... the client MUST mask all frames that it sends to
 * the server."
 */
final class ClientFrames {

    static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9, PONG = 0xA;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private ClientFrames() {
    }

    /** Bytes a frame with this payload takes on the wire. */
    static int length(int payload) {
        return 2 + (payload < 126 ? 0 : payload <= 0xffff ? 2 : 8) + 4 + payload;
    }

    /** Writes a whole data frame holding message {@code seq} of {@code connection}. */
    static void message(ByteBuffer out, Payload payload, int connection, long seq, int maskKey) {
        int len = payload.size();
        header(out, payload.isBinary() ? BINARY : TEXT, len, maskKey);
        int start = out.arrayOffset() + out.position();
        payload.write(connection, seq, out.array(), start);
        mask(out.array(), start, len, maskKey);
        out.position(out.position() + len);
    }

    /** Writes a whole control frame (Close, Ping, Pong) with this payload. */
    static void control(ByteBuffer out, int opcode, byte[] payload, int len, int maskKey) {
        header(out, opcode, len, maskKey);
        int start = out.arrayOffset() + out.position();
        System.arraycopy(payload, 0, out.array(), start, len);
        mask(out.array(), start, len, maskKey);
        out.position(out.position() + len);
    }

    /** A Close frame with status 1000 (Normal Closure). */
    static void close(ByteBuffer out, int maskKey) {
        control(out, CLOSE, new byte[] {0x03, (byte) 0xe8}, 2, maskKey);
    }

    private static void header(ByteBuffer out, int opcode, int len, int maskKey) {
        out.put((byte) (0x80 | opcode));
        if (len < 126) {
            out.put((byte) (0x80 | len));
        } else if (len <= 0xffff) {
            out.put((byte) (0x80 | 126));
            out.putShort((short) len);
        } else {
            out.put((byte) (0x80 | 127));
            out.putLong(len);
        }
        out.putInt(maskKey);
    }

    /** XORs {@code a[off..off+len)} with the key, eight bytes at a time. */
    static void mask(byte[] a, int off, int len, int key) {
        long k = key & 0xffffffffL;
        long k8 = (k << 32) | k;
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            LONGS.set(a, off + i, (long) LONGS.get(a, off + i) ^ k8);
        }
        for (; i < len; i++) {
            a[off + i] ^= (byte) (key >>> (24 - 8 * (i & 3)));
        }
    }
}
