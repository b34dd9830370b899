package dev.duplex.conformance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.duplex.conformance.Case.Behavior.NON_STRICT;
import static dev.duplex.conformance.Case.Behavior.OK;
import static dev.duplex.conformance.FramingCases.NORMAL;
import static dev.duplex.conformance.FramingCases.PROTOCOL_ERROR;
import static dev.duplex.conformance.FramingCases.sendEach;

/** Autobahn section 5: fragmentation, legal and not, with pings between fragments. */
final class FragmentationCases {

    private static final String[] WRITES = {"in one chop", "in frame-wise chops", "in octet-wise chops"};

    private FragmentationCases() {
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        cases.add(Case.of("5.1", "Send Ping fragmented into 2 fragments.")
                .expect(OK)
                .failedByPeer(PROTOCOL_ERROR)
                .play(f -> sendEach(f, 0, new Frame(false, 0, Frame.PING, Frame.utf8("fragment1")),
                        Frame.of(Frame.CONTINUATION, "fragment2")))
                .killAfter(1).build());
        cases.add(Case.of("5.2", "Send Pong fragmented into 2 fragments.")
                .expect(OK)
                .failedByPeer(PROTOCOL_ERROR)
                .play(f -> sendEach(f, 0, new Frame(false, 0, Frame.PONG, Frame.utf8("fragment1")),
                        Frame.of(Frame.CONTINUATION, "fragment2")))
                .killAfter(1).build());
        for (int mode = 0; mode < 3; mode++) {
            int m = mode;
            cases.add(Case.of("5." + (3 + mode), "Send text Message fragmented into 2 fragments, " + WRITES[mode] + ".")
                    .expect(OK, Observed.text("fragment1fragment2"))
                    .closedByMe(true, NORMAL)
                    .play(f -> sendEach(f, m, new Frame(false, 0, Frame.TEXT, Frame.utf8("fragment1")),
                            Frame.of(Frame.CONTINUATION, "fragment2")))
                    .closeAfter(1).build());
        }
        for (int mode = 0; mode < 3; mode++) {
            int m = mode;
            cases.add(Case.of("5." + (6 + mode), "Send text Message fragmented into 2 fragments, one ping with "
                            + "payload in-between, " + WRITES[mode] + ".")
                    .expect(OK, Observed.pong("ping payload"), Observed.text("fragment1fragment2"))
                    .closedByMe(true, NORMAL)
                    .play(f -> sendEach(f, m, new Frame(false, 0, Frame.TEXT, Frame.utf8("fragment1")),
                            Frame.of(Frame.PING, "ping payload"), Frame.of(Frame.CONTINUATION, "fragment2")))
                    .closeAfter(1).build());
        }
        for (int fin = 1; fin >= 0; fin--) {
            for (int mode = 0; mode < 3; mode++) {
                int m = mode;
                boolean f1 = fin == 1;
                int number = (f1 ? 9 : 12) + mode;
                cases.add(Case.of("5." + number, "Send unfragmented Text Message after Continuation Frame with FIN = "
                                + f1 + ", where there is nothing to continue, " + WRITES[mode] + ".")
                        .expect(OK)
                        .failedByPeer(PROTOCOL_ERROR)
                        .play(f -> sendEach(f, m,
                                new Frame(f1, 0, Frame.CONTINUATION, Frame.utf8("non-continuation payload")),
                                Frame.of(Frame.TEXT, "Hello, world!")))
                        .killAfter(1).build());
            }
        }
        cases.add(Case.of("5.15", "Send text Message fragmented into 2 fragments, then Continuation Frame with FIN = "
                        + "false where there is nothing to continue, then unfragmented Text Message, all in one chop.")
                .expect(OK, Observed.text("fragment1fragment2"))
                .expect(NON_STRICT)
                .failedByPeer(PROTOCOL_ERROR)
                .play(f -> sendEach(f, 0, new Frame(false, 0, Frame.TEXT, Frame.utf8("fragment1")),
                        Frame.of(Frame.CONTINUATION, "fragment2"),
                        new Frame(false, 0, Frame.CONTINUATION, Frame.utf8("fragment3")),
                        Frame.of(Frame.TEXT, "fragment4")))
                .killAfter(1).build());
        for (int fin = 0; fin <= 1; fin++) {
            boolean f1 = fin == 1;
            cases.add(Case.of("5." + (16 + fin), "Repeated 2x: Continuation Frame with FIN = " + f1
                            + " (where there is nothing to continue), then text Message fragmented into 2 fragments.")
                    .expect(OK)
                    .failedByPeer(PROTOCOL_ERROR)
                    .play(f -> {
                        for (int i = 0; i < 2; i++) {
                            sendEach(f, 0, new Frame(f1, 0, Frame.CONTINUATION, Frame.utf8("fragment1")),
                                    new Frame(false, 0, Frame.TEXT, Frame.utf8("fragment2")),
                                    Frame.of(Frame.CONTINUATION, "fragment3"));
                        }
                    })
                    .killAfter(1).build());
        }
        cases.add(Case.of("5.18", "Send text Message fragmented into 2 fragments, with both frame opcodes set to text, "
                        + "sent in one chop.")
                .expect(OK)
                .failedByPeer(PROTOCOL_ERROR)
                .play(f -> sendEach(f, 0, new Frame(false, 0, Frame.TEXT, Frame.utf8("fragment1")),
                        Frame.of(Frame.TEXT, "fragment2")))
                .killAfter(1).build());
        for (int sync = 0; sync <= 1; sync++) {
            int mode = sync;
            cases.add(Case.of("5." + (19 + sync), "A text message in 5 fragments: after the first 2, a Ping; the "
                            + "peer's Pong is awaited (up to 1 s) before 2 more fragments, another Ping and the last "
                            + "fragment" + (sync == 1 ? ", every frame in a write of its own." : "."))
                    .expect(OK, Observed.pong("pongme 1!"), Observed.pong("pongme 2!"),
                            Observed.text("fragment1fragment2fragment3fragment4fragment5"))
                    .closedByMe(true, NORMAL)
                    .play(f -> {
                        sendEach(f, mode, new Frame(false, 0, Frame.TEXT, Frame.utf8("fragment1")),
                                new Frame(false, 0, Frame.CONTINUATION, Frame.utf8("fragment2")),
                                Frame.of(Frame.PING, "pongme 1!"));
                        // Autobahn waits 1 s here: the peer should answer the Ping before the message is complete.
                        f.readUntil(() -> !f.received().isEmpty(), Duration.ofSeconds(1));
                        sendEach(f, mode, new Frame(false, 0, Frame.CONTINUATION, Frame.utf8("fragment3")),
                                new Frame(false, 0, Frame.CONTINUATION, Frame.utf8("fragment4")),
                                Frame.of(Frame.PING, "pongme 2!"),
                                Frame.of(Frame.CONTINUATION, "fragment5"));
                    })
                    .closeAfter(1).build());
        }
        return cases;
    }
}
