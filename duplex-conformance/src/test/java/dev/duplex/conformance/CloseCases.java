package dev.duplex.conformance;

import java.util.ArrayList;
import java.util.List;

import static dev.duplex.conformance.Case.Adjust.INFORMATIONAL;
import static dev.duplex.conformance.Case.Adjust.WRONG_CODE_FAILS;
import static dev.duplex.conformance.Case.Behavior.NON_STRICT;
import static dev.duplex.conformance.Case.Behavior.OK;
import static dev.duplex.conformance.FramingCases.NORMAL;
import static dev.duplex.conformance.FramingCases.PROTOCOL_ERROR;
import static dev.duplex.conformance.FramingCases.repeat;
import static dev.duplex.conformance.Utf8Cases.INVALID_PAYLOAD;

/** Autobahn section 7: the closing handshake started by the fuzzer, with valid and invalid Close frames. */
final class CloseCases {

    private static final String HELLO = "Hello World!";
    private static final int[] VALID_CODES = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000,
            4999};
    private static final int[] INVALID_CODES = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999};

    private CloseCases() {
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        cases.add(Case.of("7.1.1", "Send a message followed by a close frame.")
                .expect(OK, Observed.text(HELLO))
                .closedByMe(true, NORMAL)
                .play(f -> f.send(Frame.of(Frame.TEXT, HELLO)))
                .killAfter(1).adjust(WRONG_CODE_FAILS).build());
        cases.add(closeThen("7.1.2", "Send two close frames.", Frame.of(Frame.CLOSE)));
        cases.add(closeThen("7.1.3", "Send a ping after close message.", Frame.of(Frame.PING)));
        cases.add(closeThen("7.1.4", "Send text message after sending a close frame.", Frame.of(Frame.TEXT, HELLO)));
        cases.add(Case.of("7.1.5", "Send message fragment1 followed by close then fragment.")
                .expect(OK)
                .closedByMe(true, NORMAL)
                .play(f -> {
                    f.send(new Frame(false, 0, Frame.TEXT, Frame.utf8("fragment1")));
                    f.sendClose(NORMAL);
                    f.send(Frame.of(Frame.CONTINUATION, "fragment2"));
                })
                .suppressClose().killAfter(1).adjust(WRONG_CODE_FAILS).build());
        byte[] big = new byte[256 * 1024];
        byte[] pattern = Frame.utf8("BAsd7&jh23");
        for (int i = 0; i < big.length; i++) {
            big[i] = pattern[i % pattern.length];
        }
        cases.add(Case.of("7.1.6", "Send 256K message followed by close then a ping.")
                .expect(OK, Observed.text(HELLO))
                .expect(NON_STRICT)
                .closedByMe(true, NORMAL)
                .play(f -> {
                    f.send(Frame.of(Frame.TEXT, big));
                    f.send(Frame.of(Frame.TEXT, HELLO));
                    f.sendClose(NORMAL);
                    f.send(Frame.of(Frame.PING));
                })
                .suppressClose().killAfter(1).adjust(INFORMATIONAL).build());
        cases.add(close("7.3.1", "Send a close frame with payload length 0 (no close code, no close reason).",
                new byte[0], true, NORMAL));
        cases.add(close("7.3.2", "Send a close frame with payload length 1.", Frame.utf8("a"), false,
                PROTOCOL_ERROR));
        cases.add(close("7.3.3", "Send a close frame with close code and no close reason.",
                Frame.close(NORMAL, new byte[0]).payload(), true, NORMAL));
        cases.add(close("7.3.4", "Send a close frame with close code and close reason.",
                Frame.close(NORMAL, Frame.utf8(HELLO)).payload(), true, NORMAL));
        cases.add(close("7.3.5", "Send a close frame with close code and close reason of maximum length (123).",
                Frame.close(NORMAL, repeat((byte) '*', 123)).payload(), true, NORMAL));
        cases.add(close("7.3.6", "Send a close frame with close code and close reason which is too long (124): "
                        + "total frame payload 126 octets.", Frame.close(NORMAL, repeat((byte) '*', 124)).payload(),
                false, PROTOCOL_ERROR));
        cases.add(close("7.5.1", "Send a close frame with invalid UTF-8 payload.",
                Frame.close(NORMAL, Utf8Cases.INVALID).payload(), false, PROTOCOL_ERROR, INVALID_PAYLOAD));
        for (int i = 0; i < VALID_CODES.length; i++) {
            int code = VALID_CODES[i];
            cases.add(close("7.7." + (i + 1), "Send close with valid close code " + code + ".",
                    Frame.close(code, new byte[0]).payload(), true, NORMAL, code));
        }
        for (int i = 0; i < INVALID_CODES.length; i++) {
            int code = INVALID_CODES[i];
            cases.add(close("7.9." + (i + 1), "Send close with invalid close code " + code + ".",
                    Frame.close(code, new byte[0]).payload(), false, PROTOCOL_ERROR));
        }
        int[] undefined = {5000, 65535};
        for (int i = 0; i < 2; i++) {
            int code = undefined[i];
            cases.add(Case.of("7.13." + (i + 1), "Send close with close code " + code
                            + " (the spec leaves what follows undefined).")
                    .expect(OK)
                    .closedByMe(false, NORMAL, code, PROTOCOL_ERROR)
                    .play(f -> f.sendClosePayload(Frame.close(code, new byte[0]).payload()))
                    .suppressClose().killAfter(1).adjust(INFORMATIONAL).build());
        }
        return cases;
    }

    /** A Close with a normal code, then a frame that must be ignored. */
    private static Case closeThen(String id, String description, Frame after) {
        return Case.of(id, description)
                .expect(OK)
                .closedByMe(true, NORMAL)
                .play(f -> {
                    f.sendClose(NORMAL);
                    f.send(after);
                })
                .suppressClose().killAfter(1).adjust(WRONG_CODE_FAILS).build();
    }

    /** A Close frame with exactly this payload; the peer must answer with one of {@code codes} (or none). */
    private static Case close(String id, String description, byte[] payload, boolean clean, int... codes) {
        return Case.of(id, description)
                .expect(OK)
                .closedByMe(clean, codes)
                .play(f -> f.sendClosePayload(payload))
                .suppressClose().killAfter(1).adjust(WRONG_CODE_FAILS).build();
    }
}
