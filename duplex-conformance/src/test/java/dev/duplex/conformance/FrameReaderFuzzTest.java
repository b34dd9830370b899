package dev.duplex.conformance;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.Limits;
import dev.duplex.protocol.Rfc6455Protocol;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.deflate.DeflateNegotiation;
import dev.duplex.protocol.deflate.PerMessageDeflate;
import dev.duplex.protocol.deflate.Zlib;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fuzzes the RFC 6455 frame reader ({@code FrameReader}, driven by {@code Rfc6455Protocol} with its message
 * assembler and UTF-8 validator): raw bytes, or frames built from the input with any header bits, lengths in any
 * encoding and masking right or wrong, fed whole and in pieces. See {@link Feed} for what must hold.
 *
 * <p>In CI it runs for a fixed time ({@code JAZZER_FUZZ=1}, see the module's pom); in a plain build it replays the
 * committed corpus under {@code src/test/resources/dev/duplex/conformance/FrameReaderFuzzTestInputs}.
 */
class FrameReaderFuzzTest {

    static final Limits LIMITS = Limits.DEFAULT.withMaxMessageSize(1 << 16).withMaxFrameSize(1 << 16)
            .withMaxFragments(64);

    @FuzzTest(maxDuration = "40s")
    void framesFedWholeAndInPiecesGiveTheSameEvents(FuzzedDataProvider data) {
        Role role = data.consumeBoolean() ? Role.SERVER : Role.CLIENT;
        boolean deflate = data.consumeBoolean();
        boolean raw = data.consumeBoolean();
        byte[] bytes = raw ? data.consumeRemainingAsBytes() : frames(data, role);
        long seed = Feed.seed(bytes);
        List<String> whole = Feed.run(protocol(role, deflate), bytes, seed, true, LIMITS.maxMessageSize());
        List<String> split = Feed.run(protocol(role, deflate), bytes, seed, false, LIMITS.maxMessageSize());
        Feed.sameEvents(whole, split, seed);
    }

    static Rfc6455Protocol protocol(Role role, boolean deflate) {
        PerMessageDeflate pmd = deflate ? new PerMessageDeflate(role,
                new DeflateNegotiation.Agreement(false, false, 15, 15), 0, -1, Zlib.UNPOOLED) : null;
        return new Rfc6455Protocol(role, LIMITS, new SplittableRandom(1), pmd);
    }

    /**
     * Frames from the input: the first header byte as given (FIN, RSV, opcode), a length in the shortest or a
     * longer encoding, the payload, masked as the role's peer must (or, now and then, not).
     */
    static byte[] frames(FuzzedDataProvider data, Role role) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (data.remainingBytes() > 0 && out.size() < 1 << 18) {
            int b0 = data.consumeByte() & 0xFF;
            int length = data.consumeInt(0, 300);
            int encoding = data.consumeInt(0, 2);
            boolean masked = (role == Role.SERVER) != (data.consumeInt(0, 31) == 0);
            byte[] payload = data.consumeBytes(length);
            out.write(b0);
            int maskBit = masked ? 0x80 : 0;
            int n = payload.length;
            if (encoding == 0 && n <= 125) {
                out.write(maskBit | n);
            } else if (encoding <= 1 && n <= 0xFFFF) {
                out.write(maskBit | 126);
                out.write(n >>> 8);
                out.write(n);
            } else {
                out.write(maskBit | 127);
                for (int i = 7; i >= 0; i--) {
                    out.write((int) ((long) n >>> (8 * i)));
                }
            }
            if (masked) {
                int key = data.consumeInt();
                out.writeBytes(new byte[] {(byte) (key >>> 24), (byte) (key >>> 16), (byte) (key >>> 8), (byte) key});
                Frame.mask(payload, 0, payload.length, key, 0);
            }
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }
}
