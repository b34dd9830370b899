package dev.duplex.conformance;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Plays one case over an open connection and judges it as Autobahn's {@code Case.onConnectionLost} does: the events
 * against each expected list, then who closed, whether cleanly, and with which code.
 */
final class CaseRunner {

    private CaseRunner() {
    }

    static CaseResult run(Case c, Fuzzer f) {
        long start = System.nanoTime();
        String lost = null;
        try {
            if (c.compression() != null && !f.compressing()) {
                // Autobahn: a peer that declines permessage-deflate has not implemented it.
                f.judge(Case.Behavior.UNIMPLEMENTED, "permessage-deflate was not agreed");
                f.sendClose(1000);
            } else {
                c.script().play(f);
                f.flush();
                closeWhenDone(c, f);
            }
            awaitPeer(c, f);
            f.finishClosing();
        } catch (IOException e) {
            lost = e.toString();
            f.lost();
        } finally {
            f.close();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return judge(c, f, millis, lost);
    }

    /** Autobahn's {@code finishWhenDone}: once the events match, the fuzzer starts the closing handshake. */
    private static void closeWhenDone(Case c, Fuzzer f) throws IOException {
        if (!c.close().closedByMe() || c.suppressClose() || c.expected().isEmpty() || f.peerEnded()) {
            return;
        }
        boolean matched = f.readUntil(() -> matchesEvery(c.expected(), f.received()), c.patience());
        if (f.peerEnded() || f.sentClose()) {
            return;
        }
        if (matched) {
            f.sendClose(c.close().codes().getFirst());
        } else if (c.ending() == Case.Ending.CLOSE_AFTER) {
            f.sendClose(null);
        }
    }

    /** Waits for the peer's Close (or end); without it in time, closes (closeAfter) or drops (killAfter). */
    private static void awaitPeer(Case c, Fuzzer f) throws IOException {
        if (f.peerEnded()) {
            return;
        }
        boolean ended = f.readUntil(f::peerEnded, f.sentClose() ? Fuzzer.CLOSING : c.patience());
        if (!ended && !f.sentClose() && c.ending() == Case.Ending.CLOSE_AFTER) {
            f.sendClose(null);
            ended = f.readUntil(f::peerEnded, Fuzzer.CLOSING);
        }
        if (!ended) {
            f.kill();
        }
    }

    private static boolean matchesEvery(Map<Case.Behavior, List<Observed>> expected, List<Observed> received) {
        for (List<Observed> events : expected.values()) {
            if (!Observed.same(events, received)) {
                return false;
            }
        }
        return true;
    }

    static CaseResult judge(Case c, Fuzzer f, long millis, String lost) {
        Case.Behavior behavior = Case.Behavior.FAILED;
        String result = "Actual events differ from any expected: " + Observed.describe(f.received());
        if (f.scripted() != null) {
            behavior = f.scripted();
            result = f.scriptedResult();
        } else {
            for (Map.Entry<Case.Behavior, List<Observed>> e : c.expected().entrySet()) {
                if (Observed.same(e.getValue(), f.received())) {
                    behavior = e.getKey();
                    result = "Actual events match at least one expected.";
                    break;
                }
            }
        }
        if (f.violation() != null) {
            behavior = Case.Behavior.FAILED;
            result = "The suite failed the connection: " + f.violation();
        }
        if (f.handshakeProblem() != null) {
            behavior = Case.Behavior.FAILED;
            result = "The opening handshake: " + f.handshakeProblem() + "; then: " + result;
        }

        Case.CloseBehavior close;
        String resultClose;
        Integer remote = f.remoteCloseCode();
        Case.ExpectedClose expected = c.close();
        if (lost != null) {
            close = Case.CloseBehavior.FAILED;
            resultClose = "The connection broke: " + lost;
        } else if (f.killed() && f.violation() == null) {
            // Stricter than Autobahn, which only notes a dropped connection: the peer never reacted in time.
            close = Case.CloseBehavior.FAILED;
            resultClose = "The peer did not " + (f.sentClose() ? "answer the Close" : "close the connection")
                    + " within " + (f.sentClose() ? Fuzzer.CLOSING : c.patience()).toSeconds() + " s";
        } else if (expected.closedByMe() != f.closedByMe()) {
            close = Case.CloseBehavior.FAILED;
            resultClose = "The connection was failed by the wrong endpoint";
        } else if (expected.requireClean() && !f.wasClean()) {
            close = Case.CloseBehavior.UNCLEAN;
            resultClose = "The spec requires the connection to be failed cleanly here";
        } else if (remote != null && !expected.codes().contains(remote)) {
            close = Case.CloseBehavior.WRONG_CODE;
            resultClose = "The close code should have been " + expected.codes() + " or empty";
        } else if (f.part() == Fuzzer.Part.CLIENT && f.droppedByMe()) {
            close = Case.CloseBehavior.FAILED_BY_CLIENT;
            resultClose = "It is preferred that the server close the TCP connection";
        } else {
            close = Case.CloseBehavior.OK;
            resultClose = "Connection was properly closed";
        }

        switch (c.adjust()) {
            case WRONG_CODE_FAILS -> {
                if (close == Case.CloseBehavior.WRONG_CODE) {
                    behavior = Case.Behavior.FAILED;
                    result = resultClose;
                }
            }
            case INFORMATIONAL -> {
                result = behavior + ": " + result;
                behavior = Case.Behavior.INFORMATIONAL;
                close = Case.CloseBehavior.INFORMATIONAL;
            }
            case NONE -> { }
        }
        return new CaseResult(c.id(), CaseResult.outcome(behavior, close), behavior, close, remote,
                f.localCloseCode(), millis, c.reportTime(), result, resultClose);
    }
}
