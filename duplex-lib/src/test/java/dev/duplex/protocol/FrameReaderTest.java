package dev.duplex.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.duplex.protocol.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link FrameReader}: the RFC 6455 §5.2 header layout and payload unmasking, whatever the read boundaries. */
@Timeout(30)
class FrameReaderTest {

    /** A frame as the reader saw it: header fields and the payload it handed on. */
    private record Read(boolean fin, int rsv, int opcode, boolean masked, long length, String payload) {
    }

    /** Reads every frame in {@code stream}, fed in {@code way}'s pieces. */
    private static List<Read> readAll(byte[] stream, Feeding way) {
        FrameReader reader = new FrameReader();
        List<Read> frames = new ArrayList<>();
        boolean inHeader = true;
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        for (ByteBuffer piece : way.split(stream)) {
            while (piece.hasRemaining()) {
                if (inHeader) {
                    int before = piece.position();
                    if (!reader.readHeader(piece)) {
                        assertThat(piece.hasRemaining()).as("%s: an incomplete header consumes all", way).isFalse();
                        break;
                    }
                    assertThat(piece.position()).as("%s: header bytes only", way).isGreaterThan(before);
                    inHeader = false;
                }
                byte[] dst = new byte[(int) Math.min(reader.remaining(), piece.remaining())];
                int n = reader.readPayload(piece, dst, 0);
                assertThat(n).isEqualTo(dst.length);
                payload.writeBytes(dst);
                if (reader.remaining() == 0) {
                    frames.add(new Read(reader.fin(), reader.rsv(), reader.opcode(), reader.masked(),
                            reader.length(), hex(payload.toByteArray())));
                    payload.reset();
                    inHeader = true;
                }
            }
        }
        return frames;
    }

    @EachFeeding
    void theRfcsUnmaskedHelloIsOneFinalTextFrame(Feeding way) {
        assertThat(readAll(hex("81 05 48 65 6c 6c 6f"), way))
                .containsExactly(new Read(true, 0, 0x1, false, 5, "48 65 6c 6c 6f"));
    }

    @EachFeeding
    void theRfcsMaskedHelloIsUnmasked(Feeding way) {
        assertThat(readAll(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), way))
                .containsExactly(new Read(true, 0, 0x1, true, 5, "48 65 6c 6c 6f"));
    }

    @EachFeeding
    void theRfcsFragmentsAreTwoFramesOnlyTheLastOfThemFinal(Feeding way) {
        assertThat(readAll(hex("01 03 48 65 6c 80 02 6c 6f"), way)).containsExactly(
                new Read(false, 0, 0x1, false, 3, "48 65 6c"),
                new Read(true, 0, 0x0, false, 2, "6c 6f"));
    }

    @EachFeeding
    void framesWithEmptyPayloadsFollowEachOther(Feeding way) {
        assertThat(readAll(hex("89 00 8a 80 01 02 03 04 88 00"), way)).containsExactly(
                new Read(true, 0, 0x9, false, 0, ""),
                new Read(true, 0, 0xA, true, 0, ""),
                new Read(true, 0, 0x8, false, 0, ""));
    }

    static Stream<Arguments> lengths() {
        return Stream.of(
                Arguments.of("82 7d", 125),
                Arguments.of("82 7e 00 7e", 126),
                Arguments.of("82 7e 01 00", 256),
                Arguments.of("82 7e ff ff", 65535),
                Arguments.of("82 7f 00 00 00 00 00 01 00 00", 65536))
                .flatMap(a -> Feeding.ways().map(w -> Arguments.of(a.get()[0], a.get()[1], w)));
    }

    @ParameterizedTest(name = "{1} bytes, {2}")
    @MethodSource("lengths")
    void theSevenSixteenAndSixtyFourBitLengthsAreRead(String header, int length, Feeding way) {
        byte[] payload = Bytes.counting(length);
        List<Read> frames = readAll(Bytes.concat(hex(header), payload), way);

        assertThat(frames).hasSize(1);
        assertThat(frames.getFirst().length()).isEqualTo(length);
        assertThat(frames.getFirst().payload()).isEqualTo(hex(payload));
    }

    @EachFeeding
    void aLongMaskedPayloadIsUnmaskedAcrossEveryReadBoundary(Feeding way) {
        byte[] payload = Bytes.counting(1031);
        byte[] frame = Frames.masked(true, 0x2, payload, 0x9e3779b9);

        assertThat(readAll(frame, way)).singleElement()
                .satisfies(r -> assertThat(r.payload()).isEqualTo(hex(payload)));
    }

    @Test
    void theReservedBitsAreReportedRsv1First() {
        assertThat(readAll(hex("c1 00 a1 00 91 00 f1 00"), Feeding.WHOLE)).extracting(Read::rsv)
                .containsExactly(0b100, 0b010, 0b001, 0b111);
    }

    @Test
    void reservedOpcodesAreReportedAsTheyAre() {
        assertThat(readAll(hex("83 00 8b 00 8f 00"), Feeding.WHOLE)).extracting(Read::opcode)
                .containsExactly(0x3, 0xB, 0xF);
    }

    @Test
    void aSixtyFourBitLengthWithTheTopBitSetIsNegative() {
        FrameReader reader = new FrameReader();

        assertThat(reader.readHeader(ByteBuffer.wrap(hex("82 7f 80 00 00 00 00 00 00 01")))).isTrue();
        assertThat(reader.length()).isNegative();
    }

    @Test
    void theHeaderIsNotCompleteUntilItsLastByteArrives() {
        FrameReader reader = new FrameReader();
        byte[] header = hex("82 fe 01 00 37 fa 21 3d");
        for (int i = 0; i < header.length - 1; i++) {
            assertThat(reader.readHeader(ByteBuffer.wrap(header, i, 1))).as("after byte %d", i).isFalse();
        }
        assertThat(reader.readHeader(ByteBuffer.wrap(header, header.length - 1, 1))).isTrue();
        assertThat(reader.length()).isEqualTo(256);
        assertThat(reader.masked()).isTrue();
    }

    @Test
    void readingTheHeaderLeavesThePayloadInTheBuffer() {
        ByteBuffer in = ByteBuffer.wrap(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"));

        new FrameReader().readHeader(in);

        assertThat(in.position()).isEqualTo(6);
    }

    @Test
    void skippedPayloadIsConsumedAndTheNextHeaderIsRead() {
        FrameReader reader = new FrameReader();
        ByteBuffer in = ByteBuffer.wrap(hex("82 03 01 02 03 81 01 41"));

        reader.readHeader(in);
        reader.skipPayload(in);

        assertThat(reader.remaining()).isZero();
        assertThat(reader.readHeader(in)).isTrue();
        assertThat(reader.opcode()).isEqualTo(0x1);
        assertThat(reader.length()).isEqualTo(1);
    }
}
