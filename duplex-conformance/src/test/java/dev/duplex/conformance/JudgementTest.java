package dev.duplex.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The suite's judgement, tested on a peer that is wrong on purpose ({@link LaxServer}): a gate that never says
 * FAILED proves nothing. Each test plays one case against the lax server and checks the outcome Autobahn would give.
 */
@Timeout(60)
class JudgementTest {

    private static CaseResult play(String id, LaxServer.Utf8 utf8, boolean closesTcp) throws IOException {
        Case c = AutobahnCases.all().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
        try (LaxServer server = new LaxServer(utf8, closesTcp)) {
            return CaseRunner.run(c, Handshakes.openClient(server.port(), c));
        }
    }

    @Test
    void anEchoThatClosesProperlyIsOk_1_1_1() throws IOException {
        CaseResult r = play("1.1.1", LaxServer.Utf8.NEVER, true);
        assertEquals(CaseResult.OK, r.outcome(), r.toString());
        assertEquals(1000, r.remoteCloseCode());
    }

    @Test
    void aServerThatLeavesTcpOpenAfterTheClosingHandshakeFails_1_1_1() throws IOException {
        CaseResult r = play("1.1.1", LaxServer.Utf8.NEVER, false);
        assertEquals(CaseResult.FAILED, r.outcome(), r.toString());
        assertEquals(Case.CloseBehavior.UNCLEAN, r.behaviorClose(), r.toString());
    }

    @Test
    void invalidUtf8EchoedBackFails_6_3_1() throws IOException {
        CaseResult r = play("6.3.1", LaxServer.Utf8.NEVER, true);
        assertEquals(CaseResult.FAILED, r.outcome(), r.toString());
    }

    @Test
    void invalidUtf8NoticedOnlyAtTheEndOfTheMessageIsNonStrict_6_4_1() throws IOException {
        CaseResult r = play("6.4.1", LaxServer.Utf8.AT_MESSAGE_END, true);
        assertEquals(CaseResult.NON_STRICT, r.outcome(), r.toString());
        assertEquals(1007, r.remoteCloseCode());
    }

    @Test
    void invalidUtf8NoticedOnlyAtTheEndOfOneFrameIsNonStrict_6_4_3() throws IOException {
        CaseResult r = play("6.4.3", LaxServer.Utf8.AT_MESSAGE_END, true);
        assertEquals(CaseResult.NON_STRICT, r.outcome(), r.toString());
    }

    @Test
    void reservedBitsIgnoredFail_3_1() throws IOException {
        CaseResult r = play("3.1", LaxServer.Utf8.NEVER, true);
        assertEquals(CaseResult.FAILED, r.outcome(), r.toString());
    }

    @Test
    void anOversizedPongFails_2_5() throws IOException {
        CaseResult r = play("2.5", LaxServer.Utf8.NEVER, true);
        assertEquals(CaseResult.FAILED, r.outcome(), r.toString());
    }

    @Test
    void anInvalidCloseCodeEchoedBackFails_7_9_1() throws IOException {
        CaseResult r = play("7.9.1", LaxServer.Utf8.NEVER, true);
        assertEquals(CaseResult.FAILED, r.outcome(), r.toString());
    }

    @Test
    void aServerWithoutPermessageDeflateIsUnimplemented_12_1_1() throws IOException {
        CaseResult r = play("12.1.1", LaxServer.Utf8.NEVER, true);
        assertEquals(CaseResult.UNIMPLEMENTED, r.outcome(), r.toString());
    }
}
