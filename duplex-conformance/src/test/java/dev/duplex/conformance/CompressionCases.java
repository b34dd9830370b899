package dev.duplex.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.duplex.conformance.FramingCases.NORMAL;

/**
 * Autobahn sections 12 (permessage-deflate on five kinds of payload) and 13 (JSON with every combination of
 * context takeover and window size, offered by a client and asked for by a server): 18 message sizes each, from 16
 * bytes to 128 KiB, some auto-fragmented, every message echoed and compared.
 *
 * <p>Autobahn sends 1000 messages per case, gigabytes in all. Unless {@value #FULL} is set, a case sends 1000 small
 * messages but caps its volume at {@value #QUICK_BYTES} bytes (at least 8 messages), so the whole suite stays within
 * minutes; the count is in each case's description.
 */
final class CompressionCases {

    static final String FULL = "duplex.conformance.full";
    static final int QUICK_BYTES = 128 * 1024;

    /** Autobahn's MSG_SIZES: (payload length, case timeout in seconds, auto-fragment size). */
    private static final int[][] SIZES = {
            {16, 60, 0}, {64, 60, 0}, {256, 120, 0}, {1024, 240, 0}, {4096, 480, 0}, {8192, 480, 0},
            {16384, 480, 0}, {32768, 480, 0}, {65536, 480, 0}, {131072, 480, 0},
            {8192, 480, 256}, {16384, 480, 256}, {32768, 480, 256}, {65536, 480, 256}, {131072, 480, 256},
            {131072, 480, 1024}, {131072, 480, 4096}, {131072, 480, 32768},
    };

    private CompressionCases() {
    }

    static int messages(int length) {
        if (Boolean.getBoolean(FULL)) {
            return 1000;
        }
        return Math.min(1000, Math.max(8, QUICK_BYTES / Math.max(1, length)));
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        Negotiation.Setup plain = new Negotiation.Setup(List.of(new Negotiation.Offer(false, 0)), 1,
                "client offers [(False, 0)] / server accepts [(False, 0)]");
        List<TestData.Set> sets = TestData.sets();
        for (int j = 0; j < sets.size(); j++) {
            cases.addAll(family("12." + (j + 1), sets.get(j), plain));
        }
        Negotiation.Offer o00 = new Negotiation.Offer(false, 0);
        Negotiation.Offer o10 = new Negotiation.Offer(true, 0);
        List<Negotiation.Setup> setups = List.of(
                new Negotiation.Setup(List.of(o00), 1, "[(False, 0)] / [(False, 0)]"),
                new Negotiation.Setup(List.of(o10), 2, "[(True, 0)] / [(True, 0)]"),
                new Negotiation.Setup(List.of(new Negotiation.Offer(false, 8)), 3, "[(False, 8)] / [(False, 8)]"),
                new Negotiation.Setup(List.of(new Negotiation.Offer(false, 15)), 4, "[(False, 15)] / [(False, 15)]"),
                new Negotiation.Setup(List.of(new Negotiation.Offer(true, 8)), 5, "[(True, 8)] / [(True, 8)]"),
                new Negotiation.Setup(List.of(new Negotiation.Offer(true, 15)), 6, "[(True, 15)] / [(True, 15)]"),
                new Negotiation.Setup(List.of(new Negotiation.Offer(true, 8), o10, o00), 7,
                        "[(True, 8), (True, 0), (False, 0)] / [(True, 8), (True, 0), (False, 0)]"));
        for (int j = 0; j < setups.size(); j++) {
            cases.addAll(family("13." + (j + 1), sets.getFirst(), setups.get(j)));
        }
        return cases;
    }

    private static List<Case> family(String prefix, TestData.Set data, Negotiation.Setup setup) {
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            int length = SIZES[i][0];
            int fragment = SIZES[i][2];
            int count = messages(length);
            cases.add(Case.of(prefix + "." + (i + 1), "Send " + count + " compressed messages each of payload size "
                            + length + ", auto-fragment to " + fragment + " octets; " + data.description()
                            + "; permessage-deflate (requestNoContextTakeover, requestMaxWindowBits): "
                            + setup.describe() + ".")
                    .closedByMe(true, NORMAL)
                    .compression(setup)
                    .play(f -> {
                        int position = 0;
                        for (int n = 0; n < count; n++) {
                            byte[] message = slice(data.bytes(), position, length);
                            position = (position + length) % data.bytes().length;
                            f.sendMessage(data.binary(), message, fragment);
                            if (!LimitCases.echoed(f, data.binary(), message, "message " + (n + 1) + " of " + count)) {
                                return;
                            }
                        }
                        f.judge(Case.Behavior.OK, "Ok, received all echo'ed messages in time.");
                        f.sendClose(NORMAL);
                    })
                    .closeAfter(SIZES[i][1])
                    .reportTime().build());
        }
        return cases;
    }

    /** Autobahn's walk through the test data: {@code length} bytes from {@code from}, wrapping at the end. */
    private static byte[] slice(byte[] data, int from, int length) {
        if (from + length <= data.length) {
            return Arrays.copyOfRange(data, from, from + length);
        }
        byte[] out = new byte[length];
        int first = data.length - from;
        System.arraycopy(data, from, out, 0, first);
        System.arraycopy(data, 0, out, first, length - first);
        return out;
    }
}
