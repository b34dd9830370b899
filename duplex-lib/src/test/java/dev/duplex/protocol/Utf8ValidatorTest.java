package dev.duplex.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.duplex.protocol.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Utf8Validator} against the JDK's strict decoder, on the Autobahn 6.x cases and on seeded random bytes, fed
 * whole, split at every position and one byte at a time. Invalid cases also name the byte the validator must stop
 * at: the first one after which no continuation could make the text valid (Autobahn 6.4.x, "fail fast").
 */
@Timeout(30)
class Utf8ValidatorTest {

    /** A byte index meaning "only the end of the text shows it is invalid": a truncated sequence. */
    private static final int AT_END = -1;

    /** The JDK's answer: REPORT turns every malformed or unmappable input into an exception. */
    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("empty", ""),
                Arguments.of("ASCII with NUL and DEL", "00 48 65 6c 6c 6f 7f"),
                Arguments.of("6.2.1 κόσμε", "ce ba e1 bd b9 cf 83 ce bc ce b5"),
                Arguments.of("6.5 U+0080, first 2-byte", "c2 80"),
                Arguments.of("U+07FF, last 2-byte", "df bf"),
                Arguments.of("U+0800, first 3-byte", "e0 a0 80"),
                Arguments.of("U+D7FF, below the surrogates", "ed 9f bf"),
                Arguments.of("U+E000, above the surrogates", "ee 80 80"),
                Arguments.of("U+FEFF, byte order mark", "ef bb bf"),
                Arguments.of("U+FFFD", "ef bf bd"),
                Arguments.of("U+FFFE, noncharacter", "ef bf be"),
                Arguments.of("U+FFFF, last 3-byte", "ef bf bf"),
                Arguments.of("U+10000, first 4-byte", "f0 90 80 80"),
                Arguments.of("U+1D11E", "f0 9d 84 9e"),
                Arguments.of("U+10FFFF, last code point", "f4 8f bf bf"),
                Arguments.of("long ASCII run then 4-byte", "41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 f0 9f 98 80"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void validUtf8IsAcceptedHoweverItIsFed(String name, String hex) {
        byte[] bytes = hex(hex);
        assertThat(jdkAccepts(bytes)).as("the JDK agrees the case is valid").isTrue();

        assertThat(Utf8Validator.isValid(bytes, 0, bytes.length)).isTrue();
        assertThat(firstRejectedByteOneAtATime(bytes)).isEqualTo(Integer.MAX_VALUE);
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertThat(inTwoPieces(bytes, cut)).as("cut at %d", cut).isTrue();
        }
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("6.3.1 κόσμε then an invalid tail", "ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64", 12),
                Arguments.of("6.4.1 U+110000 mid-text", "ce ba e1 bd b9 cf 83 ce bc ce b5 f4 90 80 80 65 64 69 74 65 64", 12),
                Arguments.of("overlong NUL, 2 bytes", "c0 80", 0),
                Arguments.of("overlong, C1", "c1 bf", 0),
                Arguments.of("overlong NUL, 3 bytes", "e0 80 80", 1),
                Arguments.of("overlong U+07FF, 3 bytes", "e0 9f bf", 1),
                Arguments.of("overlong NUL, 4 bytes", "f0 80 80 80", 1),
                Arguments.of("overlong U+FFFF, 4 bytes", "f0 8f bf bf", 1),
                Arguments.of("U+D800, first surrogate", "ed a0 80", 1),
                Arguments.of("U+DBFF", "ed af bf", 1),
                Arguments.of("U+DC00", "ed b0 80", 1),
                Arguments.of("U+DFFF, last surrogate", "ed bf bf", 1),
                Arguments.of("surrogate pair", "ed a0 80 ed b0 80", 1),
                Arguments.of("U+110000, above the last code point", "f4 90 80 80", 1),
                Arguments.of("F5", "f5 80 80 80", 0),
                Arguments.of("F7 BF BF BF", "f7 bf bf bf", 0),
                Arguments.of("5-byte form", "f8 88 80 80 80", 0),
                Arguments.of("6-byte form", "fc 84 80 80 80 80", 0),
                Arguments.of("FE", "fe", 0),
                Arguments.of("FF", "ff", 0),
                Arguments.of("lone continuation 80", "80", 0),
                Arguments.of("lone continuation BF", "bf", 0),
                Arguments.of("continuation after ASCII", "41 80", 1),
                Arguments.of("continuation after a whole 2-byte", "c2 80 80", 2),
                Arguments.of("2-byte lead then ASCII", "c2 41", 1),
                Arguments.of("3-byte lead, one continuation, then ASCII", "e1 80 41", 2),
                Arguments.of("4-byte lead, two continuations, then a lead", "f1 80 80 c2 80", 3),
                Arguments.of("bad byte after an 8-byte ASCII run", "41 42 43 44 45 46 47 48 ff", 8),
                Arguments.of("bad byte after 16 ASCII bytes", "41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 c0", 16),
                Arguments.of("truncated 2-byte", "c2", AT_END),
                Arguments.of("truncated 3-byte", "e0 a0", AT_END),
                Arguments.of("truncated 4-byte", "f0 90 80", AT_END),
                Arguments.of("κό then half of σ", "ce ba e1 bd b9 cf", AT_END),
                Arguments.of("truncated U+10FFFF", "f4 8f bf", AT_END));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidUtf8IsRejectedAtItsFirstImpossibleByte(String name, String hex, int firstBadByte) {
        byte[] bytes = hex(hex);
        assertThat(jdkAccepts(bytes)).as("the JDK agrees the case is invalid").isFalse();

        assertThat(Utf8Validator.isValid(bytes, 0, bytes.length)).isFalse();
        assertThat(firstRejectedByteOneAtATime(bytes))
                .isEqualTo(firstBadByte == AT_END ? Integer.MAX_VALUE : firstBadByte);
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertThat(inTwoPieces(bytes, cut)).as("cut at %d", cut).isFalse();
        }
        if (firstBadByte != AT_END) {
            Utf8Validator prefix = new Utf8Validator();
            assertThat(prefix.feed(bytes, 0, firstBadByte)).as("the bytes before the bad one").isTrue();
            assertThat(prefix.feed(bytes, firstBadByte, 1)).as("the bad byte on its own").isFalse();
        }
    }

    @Test
    void aFailedValidatorStaysFailedUntilReset() {
        Utf8Validator v = new Utf8Validator();
        assertThat(v.feed(hex("ff"), 0, 1)).isFalse();

        assertThat(v.feed(hex("41"), 0, 1)).isFalse();
        assertThat(v.isComplete()).isFalse();

        v.reset();
        assertThat(v.feed(hex("41"), 0, 1)).isTrue();
        assertThat(v.isComplete()).isTrue();
    }

    @Test
    void onlyTheGivenRangeIsValidated() {
        byte[] bytes = hex("ff 41 42 ff");

        assertThat(Utf8Validator.isValid(bytes, 1, 2)).isTrue();
        assertThat(Utf8Validator.isValid(bytes, 0, 2)).isFalse();
    }

    /** 10,000 seeded arrays mixing ASCII runs, valid sequences of every length and stray bytes. */
    @Test
    void randomBytesGetTheJdksVerdictWholeSplitAtEveryPositionAndByteByByte() {
        long seed = Feeding.BASE_SEED;
        SplittableRandom random = new SplittableRandom(seed);
        int valid = 0;
        for (int n = 0; n < 10_000; n++) {
            byte[] bytes = randomText(random);
            boolean expected = jdkAccepts(bytes);
            valid += expected ? 1 : 0;
            String where = String.format("array %d (%s), seed 0x%x", n, hex(bytes), seed);

            assertThat(Utf8Validator.isValid(bytes, 0, bytes.length)).as(where).isEqualTo(expected);
            for (int cut = 0; cut <= bytes.length; cut++) {
                assertThat(inTwoPieces(bytes, cut)).as("%s, cut at %d", where, cut).isEqualTo(expected);
            }
            int rejectedAt = firstRejectedByteOneAtATime(bytes);
            assertThat(rejectedAt == Integer.MAX_VALUE && completeOneAtATime(bytes)).as(where).isEqualTo(expected);
        }
        // Both verdicts must be common, or the comparison proves little.
        assertThat(valid).as("valid arrays among 10,000, seed 0x%x", seed).isBetween(2_000, 8_000);
    }

    private static byte[] randomText(SplittableRandom random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int parts = random.nextInt(8);
        boolean corrupt = random.nextBoolean();
        for (int p = 0; p < parts; p++) {
            switch (random.nextInt(6)) {
                case 0 -> {
                    int run = random.nextInt(20);
                    for (int i = 0; i < run; i++) {
                        out.write(0x20 + random.nextInt(0x5f));
                    }
                }
                case 1 -> out.writeBytes(new String(Character.toChars(random.nextInt(0x80, 0x800)))
                        .getBytes(StandardCharsets.UTF_8));
                case 2 -> {
                    int cp = random.nextInt(0x800, 0x10000);
                    out.writeBytes(new String(Character.toChars(Character.isSurrogate((char) cp) ? 0xFFFD : cp))
                            .getBytes(StandardCharsets.UTF_8));
                }
                case 3 -> out.writeBytes(new String(Character.toChars(random.nextInt(0x10000, 0x110000)))
                        .getBytes(StandardCharsets.UTF_8));
                case 4 -> {
                    // Lead bytes with plausible continuations: hits overlongs, surrogates and > U+10FFFF.
                    out.write(0xC0 + random.nextInt(0x40));
                    int more = random.nextInt(4);
                    for (int i = 0; i < more; i++) {
                        out.write(0x80 + random.nextInt(0x40));
                    }
                }
                default -> out.write(random.nextInt(256));
            }
        }
        byte[] bytes = out.toByteArray();
        if (!corrupt) {
            // Keep about half the arrays free of stray bytes so that valid ones are common.
            return jdkAccepts(bytes) ? bytes : validOnly(random);
        }
        return bytes;
    }

    private static byte[] validOnly(SplittableRandom random) {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            int cp = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x80);
                case 1 -> random.nextInt(0x80, 0x800);
                case 2 -> random.nextInt(0xE000, 0x10000);
                default -> random.nextInt(0x10000, 0x110000);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static boolean inTwoPieces(byte[] bytes, int cut) {
        Utf8Validator v = new Utf8Validator();
        boolean first = v.feed(bytes, 0, cut);
        boolean second = v.feed(bytes, cut, bytes.length - cut);
        return first && second && v.isComplete();
    }

    /** The index of the first byte for which {@code feed} returns false, or MAX_VALUE if none does. */
    private static int firstRejectedByteOneAtATime(byte[] bytes) {
        Utf8Validator v = new Utf8Validator();
        for (int i = 0; i < bytes.length; i++) {
            if (!v.feed(bytes, i, 1)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    private static boolean completeOneAtATime(byte[] bytes) {
        Utf8Validator v = new Utf8Validator();
        for (int i = 0; i < bytes.length; i++) {
            v.feed(bytes, i, 1);
        }
        return v.isComplete();
    }
}
