package dev.duplex.protocol;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static dev.duplex.protocol.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link FrameWriter}: RFC 6455 §5.2 headers with "the minimal number of bytes" for the length. */
class FrameWriterTest {

    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({
            "0,     82 00,                          82 80 37 fa 21 3d",
            "125,   82 7d,                          82 fd 37 fa 21 3d",
            "126,   82 7e 00 7e,                    82 fe 00 7e 37 fa 21 3d",
            "65535, 82 7e ff ff,                    82 fe ff ff 37 fa 21 3d",
            "65536, 82 7f 00 00 00 00 00 01 00 00,  82 ff 00 00 00 00 00 01 00 00 37 fa 21 3d",
            "2147483647, 82 7f 00 00 00 00 7f ff ff ff, 82 ff 00 00 00 00 7f ff ff ff 37 fa 21 3d"})
    void theLengthUsesTheShortestEncodingAndTheKeyFollowsIt(long length, String unmasked, String masked) {
        assertThat(header(length, false, 0)).isEqualTo(Bytes.normalize(unmasked));
        assertThat(header(length, true, Endpoint.RFC_KEY)).isEqualTo(Bytes.normalize(masked));
        assertThat(FrameWriter.headerLength(length, false)).isEqualTo(Bytes.hex(unmasked).length);
        assertThat(FrameWriter.headerLength(length, true)).isEqualTo(Bytes.hex(masked).length);
    }

    @ParameterizedTest
    @CsvSource({"true, 0, 1, 81 00", "false, 0, 0, 00 00", "true, 4, 2, c2 00", "true, 7, 8, f8 00",
            "false, 1, 15, 1f 00"})
    void finRsvAndOpcodeShareTheFirstByte(boolean fin, int rsv, int opcode, String expected) {
        byte[] dst = new byte[14];
        int n = FrameWriter.writeHeader(dst, 0, fin, rsv, opcode, 0, false, 0);

        assertThat(hex(Arrays.copyOf(dst, n))).isEqualTo(Bytes.normalize(expected));
    }

    @ParameterizedTest
    @CsvSource({"0", "3", "9"})
    void theHeaderIsWrittenAtTheGivenOffset(int offset) {
        byte[] dst = new byte[offset + 14];

        int n = FrameWriter.writeHeader(dst, offset, true, 0, 0x1, 5, true, Endpoint.RFC_KEY);

        assertThat(n).isEqualTo(6);
        assertThat(hex(Arrays.copyOfRange(dst, offset, offset + n))).isEqualTo("81 85 37 fa 21 3d");
        assertThat(Arrays.copyOf(dst, offset)).as("bytes before the offset").isEqualTo(new byte[offset]);
    }

    private static String header(long length, boolean masked, int key) {
        byte[] dst = new byte[14];
        int n = FrameWriter.writeHeader(dst, 0, true, 0, 0x2, length, masked, key);
        return hex(Arrays.copyOf(dst, n));
    }
}
