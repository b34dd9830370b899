package dev.duplex.conformance;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.Framing;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.legacy.Hixie76Handshake;
import dev.duplex.protocol.legacy.LegacyProtocol;

import java.util.List;

/**
 * Fuzzes the legacy framings ({@code LegacyProtocol}, 'old sentinel frames and 'new length-prefixed frames) with
 * bytes fed whole and in pieces, and the hixie-76 key arithmetic ({@code Hixie76Handshake.keyNumber}), whose only
 * allowed complaint is {@link IllegalArgumentException}. See {@link Feed} for what must hold.
 */
class LegacyProtocolFuzzTest {

    @FuzzTest(maxDuration = "40s")
    void legacyFramesFedWholeAndInPiecesGiveTheSameEvents(FuzzedDataProvider data) {
        Framing framing = data.consumeBoolean() ? Framing.OLD : Framing.NEW;
        Role role = data.consumeBoolean() ? Role.SERVER : Role.CLIENT;
        String key = data.consumeString(40);
        try {
            long n = Hixie76Handshake.keyNumber(key);
            if (n < 0 || n > 0xFFFFFFFFL) {
                throw new AssertionError("key number " + n + " out of range for \"" + key + "\"");
            }
        } catch (IllegalArgumentException e) {
            // hixie-76 §5.2: the server aborts the handshake
        }
        byte[] bytes = data.consumeRemainingAsBytes();
        long seed = Feed.seed(bytes);
        int max = FrameReaderFuzzTest.LIMITS.maxMessageSize();
        List<String> whole = Feed.run(new LegacyProtocol(framing, role, FrameReaderFuzzTest.LIMITS), bytes, seed, true,
                max);
        List<String> split = Feed.run(new LegacyProtocol(framing, role, FrameReaderFuzzTest.LIMITS), bytes, seed,
                false, max);
        Feed.sameEvents(whole, split, seed);
    }
}
