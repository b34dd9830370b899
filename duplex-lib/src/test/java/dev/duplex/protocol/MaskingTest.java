package dev.duplex.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;

import static dev.duplex.protocol.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link Masking} against the RFC 6455 §5.3 definition, "j = i MOD 4; transformed-octet-i = original-octet-i XOR masking-key-octet-j". */
@Timeout(30)
class MaskingTest {

    private static final int[] KEYS = {0x37fa213d, 0x00000000, 0xffffffff, 0x80000001, 0x01020304};

    /** The RFC's formula, one byte at a time. */
    private static int naiveMask(byte[] buf, int off, int len, int key, int position) {
        for (int i = 0; i < len; i++) {
            int j = (position + i) % 4;
            buf[off + i] ^= (byte) (key >>> (24 - 8 * j));
        }
        return (position + len) % 4;
    }

    @Test
    void theRfcsHelloIsMaskedToTheRfcsBytes() {
        byte[] hello = hex("48 65 6c 6c 6f");

        Masking.mask(hello, 0, hello.length, 0x37fa213d, 0);

        assertThat(hex(hello)).isEqualTo("7f 9f 4d 51 58");
    }

    @Test
    void everyKeyPositionLengthAndOffsetMatchesTheByteByByteDefinition() {
        long seed = Feeding.BASE_SEED;
        SplittableRandom random = new SplittableRandom(seed);
        for (int key : KEYS) {
            for (int position = 0; position < 4; position++) {
                for (int length = 0; length <= 40; length++) {
                    for (int offset = 0; offset < 9; offset++) {
                        byte[] original = new byte[offset + length + 9];
                        random.nextBytes(original);
                        byte[] expected = original.clone();
                        byte[] actual = original.clone();

                        int expectedNext = naiveMask(expected, offset, length, key, position);
                        int next = Masking.mask(actual, offset, length, key, position);

                        String where = String.format("key %08x, position %d, length %d, offset %d, seed 0x%x",
                                key, position, length, offset, seed);
                        assertThat(hex(actual)).as(where).isEqualTo(hex(expected));
                        assertThat(next).as(where).isEqualTo(expectedNext);
                    }
                }
            }
        }
    }

    @Test
    void maskingInPiecesWithTheReturnedPositionEqualsMaskingWhole() {
        SplittableRandom random = new SplittableRandom(Feeding.BASE_SEED);
        byte[] original = new byte[100];
        random.nextBytes(original);
        byte[] whole = original.clone();
        Masking.mask(whole, 0, whole.length, 0x37fa213d, 0);

        for (int cut = 0; cut <= original.length; cut++) {
            byte[] pieces = original.clone();
            int position = Masking.mask(pieces, 0, cut, 0x37fa213d, 0);
            Masking.mask(pieces, cut, pieces.length - cut, 0x37fa213d, position);

            assertThat(hex(pieces)).as("cut at %d", cut).isEqualTo(hex(whole));
        }
    }

    @Test
    void maskingTwiceRestoresTheOriginal() {
        byte[] original = Bytes.counting(77);
        byte[] bytes = original.clone();

        Masking.mask(bytes, 0, bytes.length, 0xdeadbeef, 2);
        Masking.mask(bytes, 0, bytes.length, 0xdeadbeef, 2);

        assertThat(bytes).isEqualTo(original);
    }
}
