package dev.duplex.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** RFC 6455 §5.3 masking: XOR with a 4-byte key, eight bytes at a time. Masking and unmasking are the same. */
public final class Masking {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private Masking() {
    }

    /**
     * XORs {@code buf[off, off + len)} in place with {@code key} (its four bytes in wire order, big-endian), the
     * first byte with key byte {@code position} (0-3).
     *
     * @return the key position for the byte after this range
     */
    public static int mask(byte[] buf, int off, int len, int key, int position) {
        int k = Integer.rotateLeft(key, 8 * position);
        long k8 = ((long) k << 32) | (k & 0xFFFFFFFFL);
        if (LITTLE_ENDIAN) {
            k8 = Long.reverseBytes(k8);
        }
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            LONGS.set(buf, i, (long) LONGS.get(buf, i) ^ k8);
        }
        for (int j = 0; i < end; i++, j++) {
            buf[i] ^= (byte) (k >>> (24 - 8 * (j & 3)));
        }
        return (position + len) & 3;
    }
}
