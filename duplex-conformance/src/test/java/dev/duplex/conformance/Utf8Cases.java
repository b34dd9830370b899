package dev.duplex.conformance;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static dev.duplex.conformance.Case.Behavior.NON_STRICT;
import static dev.duplex.conformance.Case.Behavior.OK;
import static dev.duplex.conformance.FramingCases.NORMAL;

/**
 * Autobahn section 6: UTF-8 in text messages. 6.1-6.3 fragment valid and invalid text in different places, 6.4 asks
 * for failing fast (before the rest of the message arrives), and 6.5-6.23 are Markus Kuhn's UTF-8 decoder test
 * table, each sequence alone in one text message.
 */
final class Utf8Cases {

    static final int INVALID_PAYLOAD = 1007;
    /** "Hello-µ@ßöäüàá-UTF-8!!" */
    private static final String HELLO = "Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!";
    /** κόσμε */
    private static final byte[] KOSME = hex("cebae1bdb9cf83cebcceb5");
    /** κόσμε, a UTF-16 surrogate (invalid in UTF-8), then "edited". */
    static final byte[] INVALID = hex("cebae1bdb9cf83cebcceb5eda080656469746564");
    /** How long a fail-fast case waits to see that the valid first part is accepted, not failed. */
    private static final Duration QUIET = Duration.ofMillis(500);

    private Utf8Cases() {
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        cases.add(valid("6.1.1", "Send text message of length 0.", new byte[0], 0));
        cases.add(Case.of("6.1.2", "Send fragmented text message, 3 fragments each of length 0.")
                .expect(OK, Observed.text(""))
                .closedByMe(true, NORMAL)
                .play(f -> FramingCases.sendEach(f, 0, new Frame(false, 0, Frame.TEXT, new byte[0]),
                        new Frame(false, 0, Frame.CONTINUATION, new byte[0]), Frame.of(Frame.CONTINUATION)))
                .killAfter(1).build());
        cases.add(Case.of("6.1.3", "Send fragmented text message, 3 fragments, first and last of length 0, middle "
                        + "non-empty.")
                .expect(OK, Observed.text("middle frame payload"))
                .closedByMe(true, NORMAL)
                .play(f -> FramingCases.sendEach(f, 0, new Frame(false, 0, Frame.TEXT, new byte[0]),
                        new Frame(false, 0, Frame.CONTINUATION, Frame.utf8("middle frame payload")),
                        Frame.of(Frame.CONTINUATION)))
                .killAfter(1).build());
        byte[] hello = Frame.utf8(HELLO);
        cases.add(valid("6.2.1", "Send a valid UTF-8 text message in one fragment.", hello, 0));
        cases.add(Case.of("6.2.2", "Send a valid UTF-8 text message in two fragments, fragmented on UTF-8 code point "
                        + "boundary.")
                .expect(OK, Observed.text(hello))
                .closedByMe(true, NORMAL)
                .play(f -> FramingCases.sendEach(f, 0,
                        new Frame(false, 0, Frame.TEXT, Frame.utf8("Hello-\u00b5@\u00df\u00f6\u00e4")),
                        Frame.of(Frame.CONTINUATION, "\u00fc\u00e0\u00e1-UTF-8!!")))
                .closeAfter(1).build());
        cases.add(valid("6.2.3", "Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames "
                + "ending on positions which are not code point ends.", hello, 1));
        cases.add(valid("6.2.4", "Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames "
                + "ending on positions which are not code point ends (κόσμε).", KOSME, 1));
        cases.add(invalid("6.3.1", "Send invalid UTF-8 text message unfragmented.", INVALID, 0));
        cases.add(invalid("6.3.2", "Send invalid UTF-8 text message in fragments of 1 octet.", INVALID, 1));
        cases.addAll(failFast());
        int section = 5;
        for (Utf8Table.Group group : Utf8Table.groups()) {
            int n = 1;
            for (Utf8Table.Sequence s : group.sequences()) {
                String id = "6." + section + "." + n++;
                String description = group.title() + ": a text message with payload 0x"
                        + HexFormat.of().formatHex(s.bytes()) + " in one fragment.";
                cases.add(s.valid() ? valid(id, description, s.bytes(), 0) : invalid(id, description, s.bytes(), 0));
            }
            section++;
        }
        return cases;
    }

    /** A valid text message, whole or in fragments of {@code fragment} bytes: it must come back unchanged. */
    private static Case valid(String id, String description, byte[] payload, int fragment) {
        return Case.of(id, description)
                .expect(OK, Observed.text(payload))
                .closedByMe(true, NORMAL)
                .play(f -> sendText(f, payload, fragment))
                .closeAfter(fragment > 0 ? 1 : 0.5).build();
    }

    /** An invalid text message: the peer must fail the connection with 1007 and echo nothing. */
    private static Case invalid(String id, String description, byte[] payload, int fragment) {
        return Case.of(id, description)
                .expect(OK)
                .failedByPeer(INVALID_PAYLOAD)
                .play(f -> sendText(f, payload, fragment))
                .killAfter(fragment > 0 ? 1 : 0.5).build();
    }

    /** Autobahn's {@code sendMessage(payload, payload_frag_size)}: frames of at most {@code fragment} bytes. */
    private static void sendText(Fuzzer f, byte[] payload, int fragment) {
        if (fragment <= 0 || payload.length <= fragment) {
            f.send(Frame.of(Frame.TEXT, payload));
            return;
        }
        for (int i = 0; i < payload.length; i += fragment) {
            int end = Math.min(payload.length, i + fragment);
            f.send(new Frame(end == payload.length, 0, i == 0 ? Frame.TEXT : Frame.CONTINUATION,
                    Arrays.copyOfRange(payload, i, end)));
        }
    }

    /**
     * 6.4.1-6.4.4: a text message whose first part is valid, whose second part makes it invalid, and whose third
     * part follows only if the peer has not failed the connection within 1 s of the second: failing before the
     * third part is OK, failing after it NON-STRICT. 6.4.1/6.4.2 send the parts as frames, 6.4.3/6.4.4 as chops of
     * one frame; 6.4.2/6.4.4 cut the second part down to the one byte that makes the text invalid.
     */
    private static List<Case> failFast() {
        byte[] whole = hex("cebae1bdb9cf83cebcceb5f4908080656469746564");
        byte[][][] parts = {
                {hex("cebae1bdb9cf83cebcceb5"), hex("f4908080"), hex("656469746564")},
                {Arrays.copyOfRange(whole, 0, 12), Arrays.copyOfRange(whole, 12, 13), Arrays.copyOfRange(whole, 13, whole.length)},
        };
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            boolean chops = i >= 2;
            byte[][] p = parts[i % 2];
            cases.add(Case.of("6.4." + (i + 1), "Send invalid UTF-8 text message in 3 " + (chops ? "chops of one frame"
                            : "fragments (frames)") + ": part 1 (0x" + HexFormat.of().formatHex(p[0]) + ") is valid, "
                            + "part 2 (0x" + HexFormat.of().formatHex(p[1]) + ") makes it invalid, part 3 (0x"
                            + HexFormat.of().formatHex(p[2]) + ") follows only if the connection is still open 1 s "
                            + "after part 2.")
                    .expect(OK, Observed.timeout("A"))
                    .expect(NON_STRICT, Observed.timeout("A"), Observed.timeout("B"))
                    .failedByPeer(INVALID_PAYLOAD)
                    .play(f -> playFailFast(f, p, chops))
                    .killAfter(1).build());
        }
        return cases;
    }

    private static void playFailFast(Fuzzer f, byte[][] p, boolean chops) throws java.io.IOException {
        byte[] frame = null;
        if (chops) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] part : p) {
                all.writeBytes(part);
            }
            frame = f.encode(Frame.of(Frame.TEXT, all.toByteArray()));
            int header = frame.length - all.size();
            f.sendRaw(Arrays.copyOfRange(frame, 0, header + p[0].length));
        } else {
            f.sendSync(new Frame(false, 0, Frame.TEXT, p[0]));
        }
        if (!f.staysOpenFor(QUIET)) {
            return; // failed on the valid part: no marker, the case fails
        }
        f.mark(Observed.timeout("A"));
        if (chops) {
            int header = frame.length - p[0].length - p[1].length - p[2].length;
            f.sendRaw(Arrays.copyOfRange(frame, header + p[0].length, header + p[0].length + p[1].length));
        } else {
            f.sendSync(new Frame(false, 0, Frame.CONTINUATION, p[1]));
        }
        if (!f.staysOpenFor(Duration.ofSeconds(1))) {
            return; // failed fast: OK
        }
        f.mark(Observed.timeout("B"));
        if (chops) {
            f.sendRaw(Arrays.copyOfRange(frame, frame.length - p[2].length, frame.length));
        } else {
            f.sendSync(Frame.of(Frame.CONTINUATION, p[2]));
        }
    }
}
