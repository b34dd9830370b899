package dev.duplex.interop;

import dev.duplex.ClientOptions;
import dev.duplex.Compression;
import dev.duplex.Headers;
import dev.duplex.Message;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.List;
import java.util.stream.Stream;

import static dev.duplex.interop.Payloads.MEBIBYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * permessage-deflate against Node's ws, configured through its {@code perMessageDeflate} options (the scripts'
 * {@code --permessage-deflate JSON}): with context takeover, without it, and with windows of 9 to 15 bits both ways.
 * Both sides compress every message ({@code threshold} 0 on ws and on Duplex), so that the 0- and 1-byte samples are
 * compressed too. The windows stop at 9 bits: Node's zlib turns a raw deflate window of 8 bits into 9.
 *
 * <p>Each window size runs the samples up to 1 MiB (a 512-byte window is crossed 2,048 times by the longest), which
 * keeps the class near 15 s; the settings without a smaller window run all of them, 4 MiB included. Two tests count
 * the bytes on the wire with a {@link ByteCountingRelay} between the two ends, to show that compression really
 * shrinks the traffic both ways.
 */
@DisplayName("permessage-deflate with Node ws")
@Timeout(30)
class NodeWsDeflateTest extends DeflateInteropTest {

    /** ws's options with context takeover both ways: what ws's client offers by default. */
    private static final String WS_CONTEXT_TAKEOVER = "{\"threshold\":0}";
    private static final String WS_NO_CONTEXT_TAKEOVER =
            "{\"threshold\":0,\"serverNoContextTakeover\":true,\"clientNoContextTakeover\":true}";
    /** Duplex's client compresses every message, as ws does. */
    private static final Compression CLIENT = Compression.DEFAULT.withThreshold(0);
    /** Duplex's server with context takeover both ways; compresses every message. */
    private static final Compression SERVER_CONTEXT_TAKEOVER = Compression.DEFAULT.withThreshold(0);

    @Override
    Peer peer() {
        return Peer.NODE_WS;
    }

    // ---------------------------------------------------------------- Duplex's client, ws's server

    @ParameterizedTest(name = "ws server {0}")
    @MethodSource("wsServers")
    void duplexClientExchangesEverySampleWithAWsServer(String setting, String perMessageDeflate,
                                                       DeflateParameters expected) throws Exception {
        duplexClientExchangesEverySample(List.of("--permessage-deflate", perMessageDeflate), CLIENT, expected);
    }

    /** ws's server settings, and what ws agrees to with Duplex's offer "permessage-deflate; client_max_window_bits". */
    static Stream<Arguments> wsServers() {
        return Stream.of(
                arguments("with context takeover", WS_CONTEXT_TAKEOVER, DeflateParameters.CONTEXT_TAKEOVER),
                arguments("without context takeover", WS_NO_CONTEXT_TAKEOVER, DeflateParameters.NO_CONTEXT_TAKEOVER));
    }

    @ParameterizedTest(name = "ws server with {0}-bit windows")
    @ValueSource(ints = {9, 10, 11, 12, 13, 14, 15})
    void duplexClientExchangesSamplesUpToAMebibyteWithAWsServerWithSmallerWindows(int bits) throws Exception {
        // ws answers client_max_window_bits=N to an offer of client_max_window_bits without a value: Duplex's
        // compressor must then keep every reference within 2^N bytes, or ws's inflater fails.
        duplexClientExchanges(Payloads.samplesUpTo(MEBIBYTE), List.of("--permessage-deflate", windows(bits)), CLIENT,
                DeflateParameters.CONTEXT_TAKEOVER.withMaxWindowBits(bits, bits));
    }

    // ---------------------------------------------------------------- ws's client, Duplex's server

    @ParameterizedTest(name = "ws client {0}")
    @MethodSource("wsClients")
    void wsClientExchangesEverySampleWithDuplexServer(String setting, String perMessageDeflate,
                                                      Compression server, DeflateParameters expected)
            throws Exception {
        peerClientExchangesEverySample(List.of("--permessage-deflate", perMessageDeflate), server, expected);
    }

    /** ws's client offers against Duplex's server settings, and what Duplex's server agrees to. */
    static Stream<Arguments> wsClients() {
        return Stream.of(
                // ws's default offer is "permessage-deflate; client_max_window_bits".
                arguments("offering context takeover to Duplex's default server (LOW_MEMORY)", WS_CONTEXT_TAKEOVER,
                        Compression.LOW_MEMORY.withThreshold(0), DeflateParameters.NO_CONTEXT_TAKEOVER),
                arguments("offering context takeover to a server with Compression.DEFAULT", WS_CONTEXT_TAKEOVER,
                        SERVER_CONTEXT_TAKEOVER, DeflateParameters.CONTEXT_TAKEOVER),
                arguments("offering no context takeover to a server with Compression.DEFAULT", WS_NO_CONTEXT_TAKEOVER,
                        SERVER_CONTEXT_TAKEOVER, DeflateParameters.NO_CONTEXT_TAKEOVER),
                arguments("offering context takeover to a server with Compression.DEFAULT and 9-bit windows",
                        WS_CONTEXT_TAKEOVER, SERVER_CONTEXT_TAKEOVER.withMaxWindowBits(9, 9),
                        DeflateParameters.CONTEXT_TAKEOVER.withMaxWindowBits(9, 9)));
    }

    @ParameterizedTest(name = "ws client offering {0}-bit windows")
    @ValueSource(ints = {9, 10, 11, 12, 13, 14, 15})
    void wsClientOfferingSmallerWindowsExchangesSamplesUpToAMebibyteWithDuplexServer(int bits) throws Exception {
        // ws offers "server_max_window_bits=N; client_max_window_bits=N"; Duplex's server must keep its references
        // within 2^N bytes.
        peerClientExchanges(Payloads.samplesUpTo(MEBIBYTE), List.of("--permessage-deflate", windows(bits)),
                SERVER_CONTEXT_TAKEOVER, DeflateParameters.CONTEXT_TAKEOVER.withMaxWindowBits(bits, bits));
    }

    // ---------------------------------------------------------------- on the wire

    @Test
    void aMebibyteOfZerosCrossesToAndFromAWsServerInAFewKibibytes() throws Exception {
        PeerProcess server = keep(peer().startEchoServer(List.of("--permessage-deflate", WS_CONTEXT_TAKEOVER)));
        ByteCountingRelay relay = keep(ByteCountingRelay.start(Peer.awaitListening(server, STARTUP)));
        Message zeros = Message.binary(new byte[MEBIBYTE]);

        Crossing compressed = echoThroughRelay(relay, Compression.DEFAULT, zeros);
        Crossing uncompressed = echoThroughRelay(relay, Compression.DISABLED, zeros);

        // The control shows the relay sees every byte: uncompressed, the mebibyte crosses whole both ways.
        assertThat(uncompressed.toServer()).as("bytes to ws without compression").isGreaterThan(MEBIBYTE);
        assertThat(uncompressed.toClient()).as("bytes from ws without compression").isGreaterThan(MEBIBYTE);
        // A run of zeros deflates to about a thousandth of its length: the mebibyte crosses in about 1 KiB.
        assertThat(compressed.toServer()).as("bytes from Duplex's client to ws").isLessThan(4 * 1024);
        assertThat(compressed.toClient()).as("bytes from ws to Duplex's client").isLessThan(4 * 1024);
    }

    @Test
    void aMebibyteOfZerosCrossesToAndFromDuplexServerInAFewKibibytes() throws Exception {
        ByteCountingRelay.Link compressed = wsClientThroughRelay(Compression.LOW_MEMORY);
        ByteCountingRelay.Link uncompressed = wsClientThroughRelay(Compression.DISABLED);

        // Whole connections here, handshakes and closes included: a few hundred bytes more than the echo.
        assertThat(uncompressed.toServer()).as("bytes from ws to Duplex without compression")
                .isGreaterThan(MEBIBYTE);
        assertThat(uncompressed.toClient()).as("bytes from Duplex to ws without compression")
                .isGreaterThan(MEBIBYTE);
        assertThat(compressed.toServer()).as("bytes from ws to Duplex's server").isLessThan(4 * 1024);
        assertThat(compressed.toClient()).as("bytes from Duplex's server to ws").isLessThan(4 * 1024);
    }

    /** The bytes one echo took each way, the opening handshake left out. */
    private record Crossing(long toServer, long toClient) {
    }

    /** Connects Duplex's client through the relay, sends {@code message}, checks the echo, and counts it. */
    private Crossing echoThroughRelay(ByteCountingRelay relay, Compression compression, Message message)
            throws Exception {
        ClientOptions options = ClientOptions.DEFAULT.withLimits(FOUR_MEBIBYTE_MESSAGES).withCompression(compression);
        try (WebSocket ws = WebSocket.connect(URI.create("ws://127.0.0.1:" + relay.port() + "/"), Headers.EMPTY,
                options)) {
            ByteCountingRelay.Link link = relay.nextLink(STEP);
            // connect() returned: both handshake heads have crossed and been counted.
            long toServer = link.toServer();
            long toClient = link.toClient();
            ws.send(message);
            assertThat(WebSocket.select(List.of(ws), STEP)).as("the echo, within %s", STEP).isPresent();
            Message echo = ws.receive();
            assertThat(echo).isInstanceOf(Message.Binary.class);
            Payloads.assertSameBytes(echo.toBytes(), message.toBytes());
            // ws echoes only a whole message, and Duplex's client has read the whole echo: both are counted.
            return new Crossing(link.toServer() - toServer, link.toClient() - toClient);
        }
    }

    /** Runs ws's client through a relay to a Duplex echo server with this compression; one mebibyte of zeros. */
    private ByteCountingRelay.Link wsClientThroughRelay(Compression compression) throws Exception {
        DuplexEchoServer server = keep(DuplexEchoServer.start(ServerOptions.DEFAULT
                .withLimits(FOUR_MEBIBYTE_MESSAGES).withCompression(compression)));
        ByteCountingRelay relay = keep(ByteCountingRelay.start(server.port()));
        List<String> steps = List.of("binary:compressible:" + MEBIBYTE, "close:1000:");
        List<String> lines = peer().runClient(List.of("--permessage-deflate", WS_CONTEXT_TAKEOVER),
                URI.create("ws://127.0.0.1:" + relay.port() + "/echo"), steps, CLIENT_RUN);
        assertThat(lines).containsExactly("ok " + steps.get(0), "ok " + steps.get(1), "closed 1000 ");
        // The client has exited having read the echo and the server's Close: every byte it got is counted.
        return relay.nextLink(STEP);
    }

    /** ws's options for windows of {@code bits} both ways, with context takeover. */
    private static String windows(int bits) {
        return "{\"threshold\":0,\"serverMaxWindowBits\":" + bits + ",\"clientMaxWindowBits\":" + bits + "}";
    }
}
