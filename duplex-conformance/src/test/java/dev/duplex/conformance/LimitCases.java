package dev.duplex.conformance;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static dev.duplex.conformance.Case.Behavior.OK;
import static dev.duplex.conformance.FramingCases.NORMAL;

/**
 * Autobahn sections 9 (limits and performance: messages of 64 KiB to 16 MiB, frames of 64 bytes to 4 MiB, writes of
 * 64 to 2048 bytes, 1000 round trips) and 10 (auto-fragmentation). Their times are reported, never judged.
 */
final class LimitCases {

    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    /** Autobahn's per-case limits go up to 1000 s; a message that has not come back in this long will not. */
    static final Duration MESSAGE_WAIT = Duration.ofSeconds(60);

    private LimitCases() {
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        int[] sizes = {64 * KIB, 256 * KIB, MIB, 4 * MIB, 8 * MIB, 16 * MIB};
        int[] fragments = {64, 256, KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, MIB, 4 * MIB};
        int[] chops = {64, 128, 256, 512, 1024, 2048};
        int[] roundTrips = {0, 16, 64, 256, 1024, 4096};
        for (int kind = 0; kind < 2; kind++) {
            boolean binary = kind == 1;
            String what = binary ? "binary" : "text";
            for (int i = 0; i < sizes.length; i++) {
                byte[] payload = pattern(binary, sizes[i]);
                cases.add(scripted("9." + (1 + kind) + "." + (i + 1), "Send " + what + " message with payload of "
                        + "length " + size(sizes[i]) + ".", f -> {
                    f.send(Frame.of(binary ? Frame.BINARY : Frame.TEXT, payload));
                    expectEcho(f, binary, payload);
                }));
            }
            for (int i = 0; i < fragments.length; i++) {
                byte[] payload = FramingCases.repeat(binary ? (byte) 0xFE : (byte) '*', 4 * MIB);
                int fragment = fragments[i];
                cases.add(scripted("9." + (3 + kind) + "." + (i + 1), "Send fragmented " + what + " message with "
                        + "payload of length 4 MiB, in fragments of " + size(fragment) + ".", f -> {
                    f.sendMessage(binary, payload, fragment);
                    expectEcho(f, binary, payload);
                }));
            }
            for (int i = 0; i < chops.length; i++) {
                byte[] payload = pattern(binary, MIB);
                int chop = chops[i];
                cases.add(scripted("9." + (5 + kind) + "." + (i + 1), "Send " + what + " message with payload of "
                        + "length 1 MiB, written in chops of " + chop + " octets.", f -> {
                    f.sendChopped(Frame.of(binary ? Frame.BINARY : Frame.TEXT, payload), chop);
                    expectEcho(f, binary, payload);
                }));
            }
        }
        for (int kind = 0; kind < 2; kind++) {
            boolean binary = kind == 1;
            for (int i = 0; i < roundTrips.length; i++) {
                byte[] payload = FramingCases.repeat(binary ? (byte) 0xFE : (byte) '*', roundTrips[i]);
                cases.add(scripted("9." + (7 + kind) + "." + (i + 1), "Send 1000 " + (binary ? "binary" : "text")
                        + " messages of payload size " + roundTrips[i] + ", each after the echo of the one before, "
                        + "to measure round-trip time.", f -> {
                    for (int n = 0; n < 1000; n++) {
                        f.send(Frame.of(binary ? Frame.BINARY : Frame.TEXT, payload));
                        if (!echoed(f, binary, payload, "message " + (n + 1) + " of 1000")) {
                            return;
                        }
                    }
                    f.judge(OK, "Ok, received all echo'ed messages in time.");
                    f.sendClose(NORMAL);
                }));
            }
        }
        byte[] payload = FramingCases.repeat((byte) '*', 65536);
        cases.add(Case.of("10.1.1", "Send text message with payload of length 65536 auto-fragmented with "
                        + "autoFragmentSize = 1300.")
                .expect(OK, Observed.text(payload))
                .closedByMe(true, NORMAL)
                .play(f -> f.sendMessage(false, payload, 1300))
                .killAfter(10).build());
        return cases;
    }

    private static Case scripted(String id, String description, Case.Script script) {
        return Case.of(id, description)
                .closedByMe(true, NORMAL)
                .play(script)
                .closeAfter(MESSAGE_WAIT.toSeconds())
                .reportTime().build();
    }

    /** Autobahn's payloads, repeated to the length: "BAsd7&jh23" for text, 00 fe 23 fa f0 for binary. */
    static byte[] pattern(boolean binary, int length) {
        byte[] unit = binary ? new byte[] {0x00, (byte) 0xfe, 0x23, (byte) 0xfa, (byte) 0xf0} : Frame.utf8("BAsd7&jh23");
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++) {
            payload[i] = unit[i % unit.length];
        }
        return payload;
    }

    private static String size(int bytes) {
        return bytes >= MIB ? bytes / MIB + " MiB" : bytes >= KIB ? bytes / KIB + " KiB" : bytes + " bytes";
    }

    /** Waits for the echo, judges it, and closes with 1000 (Autobahn closes once the message arrived). */
    static void expectEcho(Fuzzer f, boolean binary, byte[] payload) throws IOException {
        if (echoed(f, binary, payload, "the message")) {
            f.judge(OK, "Received " + (binary ? "binary" : "text") + " message of length " + payload.length + ".");
            f.sendClose(NORMAL);
        }
    }

    /**
     * Waits for the next message and compares it with what was sent. On a mismatch or no message the case is
     * judged FAILED and, if the peer is still there, closed with 1000.
     */
    static boolean echoed(Fuzzer f, boolean binary, byte[] payload, String which) throws IOException {
        Optional<Observed.Message> m = f.awaitMessage(MESSAGE_WAIT);
        String problem = m.isEmpty() ? "Did not receive " + which + " within " + MESSAGE_WAIT.toSeconds() + " s."
                : m.get().binary() != binary ? "Expected a " + (binary ? "binary" : "text") + " message for " + which
                        + ", got the other kind."
                : m.get().payload().length != payload.length ? "Expected " + which + " of length " + payload.length
                        + ", got " + m.get().payload().length + "."
                : !Arrays.equals(m.get().payload(), payload) ? "The echo of " + which + " differs from what was sent."
                : null;
        if (problem == null) {
            return true;
        }
        f.judge(Case.Behavior.FAILED, problem);
        if (!f.peerEnded()) {
            f.sendClose(NORMAL);
        }
        return false;
    }
}
