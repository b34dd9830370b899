package dev.duplex.io;

import dev.duplex.WebSocketServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.duplex.io.Loopback.WAIT;
import static dev.duplex.io.Loopback.echoServer;
import static dev.duplex.io.Loopback.serverOptions;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failures keep their place in line: when the peer sends good messages and then something that fails the
 * connection, all in one write, the echo handler's answers to the good messages go out before the server's Close.
 * This is the "Strict" outcome of Autobahn cases such as 3.2 and 6.4.x, which a reader thread that fails the
 * connection as soon as it parses the bad frame would turn into "Non-Strict".
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StrictOrderingTest {

    private static WebSocketServer server;

    @BeforeAll
    static void startEchoServer() throws IOException {
        server = echoServer(serverOptions());
    }

    @AfterAll
    static void stopEchoServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void echoesOfTheMessagesBeforeAFrameWithRsv2ArriveBeforeTheClose1002() throws IOException {
        try (RawClient raw = RawClient.open(server.port())) {
            // The Ping after the bad frame must go unanswered: RFC 6455 §7.1.7 stops processing after a failure.
            raw.send(RawFrame.text("a"), RawFrame.text("b"), RawFrame.text("c").withRsv(RawFrame.RSV2),
                    RawFrame.ping("unanswered"));
            expectEchoesThenClose(raw, List.of("a", "b"), 1002);
        }
    }

    @Test
    void echoesOfTheMessagesBeforeInvalidUtf8ArriveBeforeTheClose1007() throws IOException {
        try (RawClient raw = RawClient.open(server.port())) {
            // C3 28: a two-byte lead followed by a byte that is not a continuation byte.
            raw.send(RawFrame.text("a"), RawFrame.text("b"), RawFrame.text(true, new byte[]{'c', (byte) 0xC3, 0x28}));
            expectEchoesThenClose(raw, List.of("a", "b"), 1007);
        }
    }

    @Test
    void echoesOfTheMessagesBeforeTheClientsCloseArriveBeforeTheServersCloseReply() throws IOException {
        try (RawClient raw = RawClient.open(server.port())) {
            raw.send(RawFrame.text("a"), RawFrame.text("b"), RawFrame.close(1000, "done"));
            expectEchoesThenClose(raw, List.of("a", "b"), 1000);
        }
    }

    @Test
    void moreMessagesThanTheInboxHoldsAreAllEchoedBeforeTheClose1002() throws IOException {
        int count = 3 * Loopback.LIMITS.inboxDepth();
        List<String> texts = new ArrayList<>();
        List<RawFrame> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            texts.add("message " + i);
            frames.add(RawFrame.text("message " + i));
        }
        frames.add(RawFrame.binary(new byte[]{1}).withRsv(RawFrame.RSV2));
        try (RawClient raw = RawClient.open(server.port())) {
            raw.send(frames.toArray(RawFrame[]::new));
            expectEchoesThenClose(raw, texts, 1002);
        }
    }

    /** Reads the echoes in order, then the Close with {@code code}, then the end of the stream and nothing else. */
    private static void expectEchoesThenClose(RawClient raw, List<String> echoes, int code) throws IOException {
        List<String> got = new ArrayList<>();
        for (String expected : echoes) {
            RawFrame f = raw.readFrame();
            assertThat(f.opcode()).as("frame %d after %s", got.size(), got).isEqualTo(RawFrame.TEXT);
            got.add(f.text());
            assertThat(f.text()).isEqualTo(expected);
        }
        RawFrame close = raw.readFrame();
        assertThat(close.opcode()).as("the frame after the echoes").isEqualTo(RawFrame.CLOSE);
        assertThat(close.closeCode()).isEqualTo(code);
        raw.expectEndOfStream(WAIT);
    }
}
