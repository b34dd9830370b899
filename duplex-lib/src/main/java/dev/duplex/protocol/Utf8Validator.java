package dev.duplex.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An incremental UTF-8 validator that fails on the first byte that cannot start or continue a well-formed sequence
 * (Unicode Table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), even when the rest of the frame has
 * not arrived yet. Autobahn cases 6.4.1-6.4.4 check exactly that a connection fails that early.
 *
 * <p>A DFA with one row of 256 transitions per state, generated from Table 3-7; runs of ASCII are skipped eight
 * bytes at a time, and the ASCII bytes before a non-ASCII one in the same eight at once, so that text with an accent
 * every few words does not fall back to one table step per byte.
 */
public final class Utf8Validator {

    private static final int ACCEPT = 0;
    private static final int NEED_1 = 1;
    private static final int NEED_2 = 2;
    private static final int NEED_3 = 3;
    private static final int AFTER_E0 = 4; // next byte A0..BF
    private static final int AFTER_ED = 5; // next byte 80..9F (no surrogates)
    private static final int AFTER_F0 = 6; // next byte 90..BF
    private static final int AFTER_F4 = 7; // next byte 80..8F (nothing above U+10FFFF)
    private static final int REJECT = 8;

    private static final byte[] NEXT = new byte[9 * 256];
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    static {
        Arrays.fill(NEXT, (byte) REJECT);
        set(ACCEPT, 0x00, 0x7F, ACCEPT);
        set(ACCEPT, 0xC2, 0xDF, NEED_1);
        set(ACCEPT, 0xE0, 0xE0, AFTER_E0);
        set(ACCEPT, 0xE1, 0xEC, NEED_2);
        set(ACCEPT, 0xED, 0xED, AFTER_ED);
        set(ACCEPT, 0xEE, 0xEF, NEED_2);
        set(ACCEPT, 0xF0, 0xF0, AFTER_F0);
        set(ACCEPT, 0xF1, 0xF3, NEED_3);
        set(ACCEPT, 0xF4, 0xF4, AFTER_F4);
        set(NEED_1, 0x80, 0xBF, ACCEPT);
        set(NEED_2, 0x80, 0xBF, NEED_1);
        set(NEED_3, 0x80, 0xBF, NEED_2);
        set(AFTER_E0, 0xA0, 0xBF, NEED_1);
        set(AFTER_ED, 0x80, 0x9F, NEED_1);
        set(AFTER_F0, 0x90, 0xBF, NEED_2);
        set(AFTER_F4, 0x80, 0x8F, NEED_2);
    }

    private static void set(int state, int from, int to, int next) {
        for (int b = from; b <= to; b++) {
            NEXT[state << 8 | b] = (byte) next;
        }
    }

    private int state = ACCEPT;

    /**
     * Feeds the next bytes of the text.
     *
     * @return false as soon as the bytes so far cannot be the start of valid UTF-8; the validator then stays failed
     */
    public boolean feed(byte[] bytes, int off, int len) {
        int s = state;
        int i = off;
        int end = off + len;
        while (i < end) {
            if (s == ACCEPT) {
                while (i + 8 <= end) {
                    long high = (long) LONGS.get(bytes, i) & HIGH_BITS;
                    if (high != 0) {
                        // Little-endian: the lowest set bit belongs to the first non-ASCII byte; skip what precedes it.
                        i += Long.numberOfTrailingZeros(high) >>> 3;
                        break;
                    }
                    i += 8;
                }
                if (i == end) {
                    break;
                }
            }
            s = NEXT[s << 8 | (bytes[i] & 0xFF)];
            if (s == REJECT) {
                state = REJECT;
                return false;
            }
            i++;
        }
        state = s;
        return true;
    }

    /** Whether the bytes fed so far are whole, valid UTF-8 (no sequence left incomplete). */
    public boolean isComplete() {
        return state == ACCEPT;
    }

    /** Starts over for a new text. */
    public void reset() {
        state = ACCEPT;
    }

    /** Whether these bytes are whole, valid UTF-8. */
    public static boolean isValid(byte[] bytes, int off, int len) {
        Utf8Validator v = new Utf8Validator();
        return v.feed(bytes, off, len) && v.isComplete();
    }
}
