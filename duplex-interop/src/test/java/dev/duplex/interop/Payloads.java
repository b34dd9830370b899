package dev.duplex.interop;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The messages the interop tests send, the same ones the peer clients in node/ and python/ send. */
final class Payloads {

    static final int MEBIBYTE = 1 << 20;

    /** Latin, a dash, the euro sign, an emoji (a surrogate pair in Java) and CJK: 1- to 4-byte UTF-8 sequences. */
    static final String MULTI_BYTE_TEXT = "héllo wörld – € 😀 日本語";

    private Payloads() {
    }

    /** Exactly 1 MiB of UTF-8 with 1-, 2-, 3- and 4-byte sequences: 104857 ten-byte units and 6 ASCII bytes. */
    static String mebibyteText() {
        String text = "aé€😀".repeat(104857) + "xxxxxx";
        assertThat(text.getBytes(StandardCharsets.UTF_8)).hasSize(MEBIBYTE);
        return text;
    }

    /**
     * 1 MiB from the linear congruential sequence x = x * 1103515245 + 12345 (mod 2^32), seed 12345, top byte of
     * each x: the peer clients use the same one, so that a misplaced byte shows.
     */
    static byte[] mebibyteBinary() {
        byte[] bytes = new byte[MEBIBYTE];
        int x = 12345;
        for (int i = 0; i < bytes.length; i++) {
            x = x * 1103515245 + 12345;
            bytes[i] = (byte) (x >>> 24);
        }
        return bytes;
    }

    /** Every byte value once, in order. */
    static byte[] allByteValues() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    /** Asserts two byte arrays are equal, naming the first difference instead of printing a mebibyte. */
    static void assertSameBytes(byte[] actual, byte[] expected) {
        int at = Arrays.mismatch(actual, expected);
        assertThat(at)
                .as("index of the first difference between %d bytes received and %d bytes sent (-1: none)",
                        actual.length, expected.length)
                .isEqualTo(-1);
    }
}
