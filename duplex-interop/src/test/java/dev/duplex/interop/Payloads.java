package dev.duplex.interop;

import dev.duplex.Message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/** The messages the interop tests send, the same ones the peer clients in node/ and python/ send. */
final class Payloads {

    static final int MEBIBYTE = 1 << 20;

    /** Latin, a dash, the euro sign, an emoji (a surrogate pair in Java) and CJK: 1- to 4-byte UTF-8 sequences. */
    static final String MULTI_BYTE_TEXT = "héllo wörld – € 😀 日本語";

    /** The lengths of the compression tests' messages: around the 256-byte threshold, then up to 4 MiB. */
    static final List<Integer> SAMPLE_LENGTHS = List.of(0, 1, 255, 256, 1024, 64 * 1024, MEBIBYTE, 4 * MEBIBYTE);

    /** What a {@link Sample} holds. */
    enum Content {
        /** Binary: the linear congruential sequence of {@link #randomBytes}; text: printable ASCII picked by it. */
        RANDOM,
        /** Binary: zeros; text: "aé€😀" (1- to 4-byte UTF-8) repeated, then "x" up to the length. */
        COMPRESSIBLE
    }

    /** Whether a {@link Sample} is a text or a binary message. */
    enum Type {
        TEXT,
        BINARY
    }

    /**
     * One message of the compression tests, which the peer scripts make too: their step {@code TYPE:CONTENT:LENGTH}
     * (for example {@code binary:random:1024}) sends the same one from Node and Chromium, and one of the same kind
     * from Python (whose random bytes come from {@code random.Random(12345)}: the sequence is slow in Python).
     *
     * @param length the message's length in bytes (of UTF-8, for text)
     */
    record Sample(Type type, Content content, int length) {

        /** The peer scripts' step that sends this message and checks its echo. */
        String step() {
            return type.name().toLowerCase(Locale.ROOT) + ":" + content.name().toLowerCase(Locale.ROOT) + ":" + length;
        }

        Message message() {
            return switch (type) {
                case TEXT -> Message.text(new String(textBytes(), StandardCharsets.UTF_8));
                case BINARY -> Message.binary(content == Content.RANDOM ? randomBytes(length) : new byte[length]);
            };
        }

        private byte[] textBytes() {
            if (content == Content.COMPRESSIBLE) {
                return ("aé€😀".repeat(length / 10) + "x".repeat(length % 10)).getBytes(StandardCharsets.UTF_8);
            }
            byte[] bytes = randomBytes(length);
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (0x20 + Byte.toUnsignedInt(bytes[i]) % 95);
            }
            return bytes;
        }
    }

    private Payloads() {
    }

    /** Every {@link #SAMPLE_LENGTHS length}, as text and as binary, random and compressible: 32 messages, 21 MiB. */
    static List<Sample> samples() {
        return samplesUpTo(4 * MEBIBYTE);
    }

    /** The {@link #samples()} no longer than {@code longest} bytes, in the same order: shortest first. */
    static List<Sample> samplesUpTo(int longest) {
        List<Sample> samples = new ArrayList<>();
        for (int length : SAMPLE_LENGTHS.stream().filter(length -> length <= longest).toList()) {
            for (Type type : Type.values()) {
                for (Content content : Content.values()) {
                    samples.add(new Sample(type, content, length));
                }
            }
        }
        return List.copyOf(samples);
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
        return randomBytes(MEBIBYTE);
    }

    /** {@code length} bytes of the sequence of {@link #mebibyteBinary()}, from its start. */
    static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
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
        assertSameBytes("message", actual, expected);
    }

    /** {@link #assertSameBytes(byte[], byte[])}, saying which message it was. */
    static void assertSameBytes(String what, byte[] actual, byte[] expected) {
        int at = Arrays.mismatch(actual, expected);
        assertThat(at)
                .as("%s: index of the first difference between %d bytes received and %d bytes sent (-1: none)",
                        what, actual.length, expected.length)
                .isEqualTo(-1);
    }
}
