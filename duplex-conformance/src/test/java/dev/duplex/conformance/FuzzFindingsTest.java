package dev.duplex.conformance;

import dev.duplex.ClientOptions;
import dev.duplex.Compression;
import dev.duplex.Headers;
import dev.duplex.Message;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;
import dev.duplex.cli.ConformanceCommands;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.Rfc6455Protocol;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.deflate.DeflateNegotiation;
import dev.duplex.protocol.deflate.PerMessageDeflate;
import dev.duplex.protocol.deflate.Zlib;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Every fuzz finding as a plain test, named for the behavior it checks. The crashing inputs also stay in the fuzz
 * targets' corpus ({@code src/test/resources/dev/duplex/conformance/*Inputs}), where Jazzer replays them.
 */
@Timeout(30)
class FuzzFindingsTest {

    /**
     * InflaterFuzzTest, crash-d61794edf00f950f58b7818a3fd5da4cf108a2d9: a compressor that keeps its context, asked
     * for an empty message right after another message, gets no bytes from zlib (a sync flush with no input since
     * the last flush produces nothing), and {@code PerMessageDeflate.compress} threw "zlib did not end the message
     * with a sync flush".
     */
    @Test
    void anEmptyMessageCompressesRightAfterAnotherWithContextTakeover() {
        DeflateNegotiation.Agreement takeover = new DeflateNegotiation.Agreement(false, false, 15, 15);
        PerMessageDeflate sender = new PerMessageDeflate(Role.SERVER, takeover, 0, -1, Zlib.UNPOOLED);
        Rfc6455Protocol client = new Rfc6455Protocol(Role.CLIENT, FrameReaderFuzzTest.LIMITS, new SplittableRandom(1),
                new PerMessageDeflate(Role.CLIENT, takeover, 0, -1, Zlib.UNPOOLED));
        for (int i = 0; i < 3; i++) {
            PerMessageDeflate.Compressed c = sender.compress(new byte[0], 0, 0, 0);
            byte[] payload = Arrays.copyOf(c.array(), c.end());
            client.receive(ByteBuffer.wrap(new Frame(true, 0b100, Frame.BINARY, payload).encode(null)));
            Event e = client.nextEvent();
            Event.Received r = assertInstanceOf(Event.Received.class, e, "empty message " + (i + 1));
            assertEquals(0, ((Message.Binary) r.message()).bytes().length);
        }
    }

    /**
     * The same finding as an application meets it: a client that compresses every message, talking to a server that
     * lets it keep its context ({@code duplex serve --echo --compression-context-takeover}), sends "" twice.
     */
    @Test
    void aClientCompressingEveryMessageSendsTwoEmptyMessagesInARow() throws Exception {
        ServerOptions takeover = ConformanceCommands.echoServerOptions()
                .withCompression(Compression.LOW_MEMORY.withContextTakeover(true, true));
        try (WebSocketServer server = ConformanceCommands.startEchoServer(takeover);
             WebSocket ws = WebSocket.connect(URI.create("ws://127.0.0.1:" + server.port() + "/"), Headers.EMPTY,
                     ClientOptions.DEFAULT.withCompression(Compression.DEFAULT.withThreshold(0)))) {
            ws.send("");
            ws.send("");
            assertEquals(Message.text(""), ws.receive());
            assertEquals(Message.text(""), ws.receive());
        }
    }
}
