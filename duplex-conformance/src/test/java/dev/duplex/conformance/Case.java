package dev.duplex.conformance;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Autobahn|Testsuite case, written from its public description: what the fuzzer sends ({@link #script}), what it
 * expects back ({@link #expected}, by behavior: Autobahn's {@code self.expected[Case.OK]} and
 * {@code [Case.NON_STRICT]}), and how the connection must end ({@link #close}, Autobahn's {@code expectedClose}).
 * The same case is played against Duplex's server (the suite is the client) and its client (the suite is the
 * server): only the masking and the closing of TCP differ, and {@link Fuzzer} takes care of both.
 *
 * @param expected      the events that earn each behavior, tried in order; empty when the script decides
 *                      the behavior itself (sections 9, 10, 12 and 13, as in Autobahn)
 * @param suppressClose the script sends its own Close (section 7), so the fuzzer does not close on a match
 * @param ending        what the fuzzer does when {@code patience} passes before the expected events: Autobahn's
 *                      {@code closeAfter} sends a Close, {@code killAfter} drops the connection
 * @param patience      Autobahn's {@code closeAfter}/{@code killAfter} delay: the longest the fuzzer waits for the
 *                      peer's reaction (at least {@link #MIN_WAIT}; a correct peer ends every wait early)
 * @param compression   the permessage-deflate offers and answer of sections 12 and 13, or null for none
 * @param adjust        Autobahn's per-case overrides of its judgement
 * @param reportTime    Autobahn's {@code reportTime}: the duration is part of the result (informational)
 */
record Case(String id, String description, Map<Behavior, List<Observed>> expected, ExpectedClose close,
            Script script, boolean suppressClose, Ending ending, Duration patience, Negotiation.Setup compression,
            Adjust adjust, boolean reportTime) {

    /** A loaded CI machine must not turn a prompt reaction into a timeout: no wait for one is shorter. */
    static final Duration MIN_WAIT = Duration.ofSeconds(2);

    /** What the fuzzer does with the connection: sends frames, and for some cases waits in between. */
    @FunctionalInterface
    interface Script {
        void play(Fuzzer f) throws IOException;
    }

    enum Ending { CLOSE_AFTER, KILL_AFTER }

    /** Autobahn's outcome for the events ({@code behavior}). */
    enum Behavior {
        OK("OK"), NON_STRICT("NON-STRICT"), INFORMATIONAL("INFORMATIONAL"), UNIMPLEMENTED("UNIMPLEMENTED"),
        FAILED("FAILED");

        final String label;

        Behavior(String label) {
            this.label = label;
        }
    }

    /** Autobahn's outcome for the closing ({@code behaviorClose}). */
    enum CloseBehavior {
        OK("OK"), FAILED("FAILED"), UNCLEAN("UNCLEAN"), WRONG_CODE("WRONG CODE"),
        FAILED_BY_CLIENT("FAILED BY CLIENT"), INFORMATIONAL("INFORMATIONAL");

        final String label;

        CloseBehavior(String label) {
            this.label = label;
        }
    }

    /** Autobahn's per-case {@code onConnectionLost} overrides. */
    enum Adjust {
        NONE,
        /** Section 7: a close code outside the expected list fails the case, not only its closing. */
        WRONG_CODE_FAILS,
        /** 7.1.6 and 7.13.x: the spec leaves the outcome open; Autobahn reports it, it does not judge it. */
        INFORMATIONAL
    }

    /**
     * Autobahn's {@code expectedClose}.
     *
     * @param closedByMe   whether the fuzzer must be the one to start the closing handshake
     * @param codes        the close codes the peer may send (or none at all)
     * @param requireClean whether a full closing handshake, TCP closed by the server, is required
     */
    record ExpectedClose(boolean closedByMe, List<Integer> codes, boolean requireClean) {
    }

    static Builder of(String id, String description) {
        return new Builder(id, description);
    }

    /** Writes a case as Autobahn's {@code onOpen} reads: expectations first, then what to send. */
    static final class Builder {
        private final String id;
        private final String description;
        private final Map<Behavior, List<Observed>> expected = new LinkedHashMap<>();
        private ExpectedClose close;
        private Script script = f -> { };
        private boolean suppressClose;
        private Ending ending = Ending.KILL_AFTER;
        private Duration wait = Duration.ofSeconds(1);
        private Negotiation.Setup compression;
        private Adjust adjust = Adjust.NONE;
        private boolean reportTime;

        private Builder(String id, String description) {
            this.id = id;
            this.description = description;
        }

        Builder expect(Behavior behavior, Observed... events) {
            expected.put(behavior, List.of(events));
            return this;
        }

        /** The fuzzer closes once the events match, with the first code; the peer may answer with any of them. */
        Builder closedByMe(boolean clean, int... codes) {
            close = new ExpectedClose(true, Arrays.stream(codes).boxed().toList(), clean);
            return this;
        }

        /** The peer must fail the connection, with one of these codes or none. */
        Builder failedByPeer(int... codes) {
            close = new ExpectedClose(false, Arrays.stream(codes).boxed().toList(), false);
            return this;
        }

        Builder play(Script script) {
            this.script = script;
            return this;
        }

        Builder suppressClose() {
            suppressClose = true;
            return this;
        }

        Builder closeAfter(double seconds) {
            ending = Ending.CLOSE_AFTER;
            wait = Duration.ofMillis((long) (seconds * 1000));
            return this;
        }

        Builder killAfter(double seconds) {
            ending = Ending.KILL_AFTER;
            wait = Duration.ofMillis((long) (seconds * 1000));
            return this;
        }

        Builder compression(Negotiation.Setup setup) {
            compression = setup;
            return this;
        }

        Builder adjust(Adjust adjust) {
            this.adjust = adjust;
            return this;
        }

        Builder reportTime() {
            reportTime = true;
            return this;
        }

        Case build() {
            if (close == null) {
                throw new IllegalStateException(id + ": no expected close");
            }
            Duration w = wait.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : wait;
            return new Case(id, description, Collections.unmodifiableMap(new LinkedHashMap<>(expected)),
                    close, script, suppressClose, ending, w, compression, adjust, reportTime);
        }
    }

    /** Sorts case ids as numbers, section by section: 1.1.2 before 1.1.10. */
    static int compareIds(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
