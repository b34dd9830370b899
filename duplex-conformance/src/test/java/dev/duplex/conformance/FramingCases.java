package dev.duplex.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.duplex.conformance.Case.Behavior.NON_STRICT;
import static dev.duplex.conformance.Case.Behavior.OK;

/**
 * Autobahn sections 1 (framing), 2 (pings and pongs), 3 (reserved bits) and 4 (opcodes), from the suite's case
 * descriptions: what is sent, in how many writes, and what must come back.
 */
final class FramingCases {

    static final int NORMAL = 1000;
    static final int PROTOCOL_ERROR = 1002;
    private static final int[] LENGTHS = {0, 125, 126, 127, 128, 65535, 65536};
    private static final String HELLO = "Hello, world!";

    private FramingCases() {
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        cases.addAll(section1());
        cases.addAll(section2());
        cases.addAll(section3());
        cases.addAll(section4());
        return cases;
    }

    static byte[] repeat(byte b, int n) {
        byte[] a = new byte[n];
        Arrays.fill(a, b);
        return a;
    }

    /** 1.1 text and 1.2 binary messages of every length encoding, the last one written in 997-byte chops. */
    private static List<Case> section1() {
        List<Case> cases = new ArrayList<>();
        for (int kind = 1; kind <= 2; kind++) {
            boolean binary = kind == 2;
            for (int i = 0; i <= LENGTHS.length; i++) {
                int length = i < LENGTHS.length ? LENGTHS[i] : 65536;
                int chop = i < LENGTHS.length ? 0 : 997;
                byte[] payload = repeat(binary ? (byte) 0xFE : (byte) '*', length);
                int opcode = binary ? Frame.BINARY : Frame.TEXT;
                cases.add(Case.of("1." + kind + "." + (i + 1), "Send " + (binary ? "binary" : "text")
                                + " message with payload of length " + length
                                + (chop > 0 ? ", written in chops of " + chop + " octets" : "") + ".")
                        .expect(OK, new Observed.Message(binary, payload))
                        .closedByMe(true, NORMAL)
                        .play(f -> {
                            if (chop > 0) {
                                f.sendChopped(Frame.of(opcode, payload), chop);
                            } else {
                                f.send(Frame.of(opcode, payload));
                            }
                        })
                        .killAfter(length > 128 ? 10 : 1)
                        .build());
            }
        }
        return cases;
    }

    private static List<Case> section2() {
        byte[] binary = {0x00, (byte) 0xff, (byte) 0xfe, (byte) 0xfd, (byte) 0xfc, (byte) 0xfb, 0x00, (byte) 0xff};
        List<Case> cases = new ArrayList<>();
        cases.add(pingCase("2.1", "Send ping without payload.", new byte[0], 0));
        cases.add(pingCase("2.2", "Send ping with small text payload.", Frame.utf8(HELLO), 0));
        cases.add(pingCase("2.3", "Send ping with small binary (non UTF-8) payload.", binary, 0));
        cases.add(pingCase("2.4", "Send ping with binary payload of 125 octets.", repeat((byte) 0xFE, 125), 0));
        cases.add(Case.of("2.5", "Send ping with binary payload of 126 octets.")
                .expect(OK)
                .failedByPeer(PROTOCOL_ERROR)
                .play(f -> f.send(Frame.of(Frame.PING, repeat((byte) 0xFE, 126))))
                .killAfter(1).build());
        cases.add(pingCase("2.6", "Send ping with binary payload of 125 octets, in octet-wise chops.",
                repeat((byte) 0xFE, 125), 1));
        cases.add(Case.of("2.7", "Send unsolicited pong without payload.")
                .expect(OK)
                .closedByMe(true, NORMAL)
                .play(f -> f.send(Frame.of(Frame.PONG)))
                .closeAfter(1).build());
        cases.add(Case.of("2.8", "Send unsolicited pong with payload.")
                .expect(OK)
                .closedByMe(true, NORMAL)
                .play(f -> f.send(Frame.of(Frame.PONG, "unsolicited pong payload")))
                .closeAfter(1).build());
        cases.add(Case.of("2.9", "Send unsolicited pong with payload, then ping with payload.")
                .expect(OK, Observed.pong("ping payload"))
                .closedByMe(true, NORMAL)
                .play(f -> {
                    f.send(Frame.of(Frame.PONG, "unsolicited pong payload"));
                    f.send(Frame.of(Frame.PING, "ping payload"));
                })
                .closeAfter(1).build());
        for (int chop : new int[] {0, 1}) {
            Observed[] pongs = new Observed[10];
            for (int i = 0; i < 10; i++) {
                pongs[i] = Observed.pong("payload-" + i);
            }
            cases.add(Case.of(chop == 0 ? "2.10" : "2.11",
                            "Send 10 pings with payload" + (chop == 0 ? "." : ", in octet-wise chops."))
                    .expect(OK, pongs)
                    .closedByMe(true, NORMAL)
                    .play(f -> {
                        for (int i = 0; i < 10; i++) {
                            Frame ping = Frame.of(Frame.PING, "payload-" + i);
                            if (chop == 0) {
                                f.send(ping);
                            } else {
                                f.sendChopped(ping, chop);
                            }
                        }
                    })
                    .closeAfter(3).build());
        }
        return cases;
    }

    private static Case pingCase(String id, String description, byte[] payload, int chop) {
        return Case.of(id, description)
                .expect(OK, Observed.pong(payload))
                .closedByMe(true, NORMAL)
                .play(f -> {
                    if (chop > 0) {
                        f.sendChopped(Frame.of(Frame.PING, payload), chop);
                    } else {
                        f.send(Frame.of(Frame.PING, payload));
                    }
                })
                .closeAfter(chop > 0 ? 2 : 1).build();
    }

    private static List<Case> section3() {
        byte[] binary = {0x00, (byte) 0xff, (byte) 0xfe, (byte) 0xfd, (byte) 0xfc, (byte) 0xfb, 0x00, (byte) 0xff};
        List<Case> cases = new ArrayList<>();
        cases.add(Case.of("3.1", "Send small text message with RSV = 1.")
                .expect(OK)
                .failedByPeer(PROTOCOL_ERROR)
                .play(f -> f.send(Frame.of(Frame.TEXT, HELLO).rsv(1)))
                .killAfter(1).build());
        // 3.2-3.4: the echo of the valid message comes first, then the failure; the Pong must not come.
        String[] writes = {"in one write", "frame-wise (each frame in a write of its own)", "in octet-wise chops"};
        for (int i = 0; i < 3; i++) {
            int rsv = i + 2;
            int mode = i;
            cases.add(Case.of("3." + rsv, "Send small text message, then again with RSV = " + rsv
                            + ", then ping; " + writes[i] + ".")
                    .expect(OK, Observed.text(HELLO))
                    .expect(NON_STRICT)
                    .failedByPeer(PROTOCOL_ERROR)
                    .play(f -> sendEach(f, mode, Frame.of(Frame.TEXT, HELLO),
                            Frame.of(Frame.TEXT, HELLO).rsv(rsv), Frame.of(Frame.PING)))
                    .killAfter(1).build());
        }
        cases.add(Case.of("3.5", "Send small binary message with RSV = 5.")
                .expect(OK)
                .failedByPeer(PROTOCOL_ERROR)
                .play(f -> f.send(Frame.of(Frame.BINARY, binary).rsv(5)))
                .killAfter(1).build());
        // Autobahn's description says Ping, its code sends a binary frame: these are its bytes.
        cases.add(Case.of("3.6", "Send small binary frame with RSV = 6.")
                .expect(OK)
                .failedByPeer(PROTOCOL_ERROR)
                .play(f -> f.send(Frame.of(Frame.BINARY, HELLO).rsv(6)))
                .killAfter(1).build());
        cases.add(Case.of("3.7", "Send Close with RSV = 7.")
                .expect(OK)
                .failedByPeer(PROTOCOL_ERROR)
                .play(f -> f.send(Frame.of(Frame.CLOSE).rsv(7)))
                .killAfter(1).build());
        return cases;
    }

    /** Sends the frames in one write (mode 0), a write each (1), or octet-wise chops (2). */
    static void sendEach(Fuzzer f, int mode, Frame... frames) throws java.io.IOException {
        for (Frame frame : frames) {
            switch (mode) {
                case 0 -> f.send(frame);
                case 1 -> f.sendSync(frame);
                default -> f.sendChopped(frame, 1);
            }
        }
    }

    private static List<Case> section4() {
        List<Case> cases = new ArrayList<>();
        int[][] opcodes = {{3, 4, 5, 6, 7}, {11, 12, 13, 14, 15}};
        for (int group = 0; group < 2; group++) {
            String kind = group == 0 ? "non-control" : "control";
            for (int i = 0; i < 5; i++) {
                int opcode = opcodes[group][i];
                String id = "4." + (group + 1) + "." + (i + 1);
                byte[] payload = i == 1 ? Frame.utf8("reserved opcode payload") : new byte[0];
                if (i < 2) {
                    cases.add(Case.of(id, "Send frame with reserved " + kind + " Opcode = " + opcode
                                    + (payload.length > 0 ? " and non-empty payload." : "."))
                            .expect(OK)
                            .failedByPeer(PROTOCOL_ERROR)
                            .play(f -> f.send(Frame.of(opcode, payload)))
                            .killAfter(1).build());
                } else {
                    byte[] reserved = i == 2 ? new byte[0] : Frame.utf8(HELLO);
                    cases.add(Case.of(id, "Send small text message, then frame with reserved " + kind + " Opcode = "
                                    + opcode + (reserved.length > 0 ? " and non-empty payload" : "") + ", then ping.")
                            .expect(OK, Observed.text(HELLO))
                            .expect(NON_STRICT)
                            .failedByPeer(PROTOCOL_ERROR)
                            .play(f -> sendEach(f, 0, Frame.of(Frame.TEXT, HELLO), Frame.of(opcode, reserved),
                                    Frame.of(Frame.PING)))
                            .killAfter(1).build());
                }
            }
        }
        return cases;
    }
}
