package dev.duplex.interop;

import dev.duplex.Compression;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.duplex.interop.Payloads.MEBIBYTE;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * permessage-deflate against Python websockets 10.4, mostly as it comes: its client offers
 * "permessage-deflate; client_max_window_bits" and its server answers with 12-bit windows both ways, so that
 * Duplex's client must keep every reference within 4 KiB or websockets fails to inflate. Other settings go through
 * the scripts' {@code --permessage-deflate JSON}, the arguments of websockets' {@code ClientPerMessageDeflateFactory}
 * and {@code ServerPerMessageDeflateFactory}. Duplex's side keeps its defaults apart from the setting under test, so
 * the messages under 256 bytes go uncompressed from Duplex and compressed from websockets (which has no threshold).
 */
@DisplayName("permessage-deflate with Python websockets")
@Timeout(30)
class PythonWebsocketsDeflateTest extends DeflateInteropTest {

    private static final String NO_CONTEXT_TAKEOVER =
            "{\"server_no_context_takeover\": true, \"client_no_context_takeover\": true}";

    @Override
    Peer peer() {
        return Peer.PYTHON_WEBSOCKETS;
    }

    // ---------------------------------------------------------------- Duplex's client, websockets' server

    @Test
    void duplexClientExchangesEverySampleWithTheDefaultServerAndItsTwelveBitWindows() throws Exception {
        duplexClientExchangesEverySample(List.of(), Compression.DEFAULT,
                DeflateParameters.CONTEXT_TAKEOVER.withMaxWindowBits(12, 12));
    }

    @Test
    void duplexClientExchangesEverySampleWithAServerWithoutContextTakeover() throws Exception {
        duplexClientExchangesEverySample(List.of("--permessage-deflate", NO_CONTEXT_TAKEOVER), Compression.DEFAULT,
                DeflateParameters.NO_CONTEXT_TAKEOVER);
    }

    // ---------------------------------------------------------------- websockets' client, Duplex's server

    @ParameterizedTest(name = "default client, Duplex server with {0}")
    @MethodSource("duplexServers")
    void defaultClientExchangesEverySampleWithDuplexServer(String setting, Compression server,
                                                           DeflateParameters expected) throws Exception {
        peerClientExchangesEverySample(List.of(), server, expected);
    }

    /** Duplex's server settings, and what they agree to with websockets' default offer. */
    static Stream<Arguments> duplexServers() {
        return Stream.of(
                arguments("its default (LOW_MEMORY)", Compression.LOW_MEMORY, DeflateParameters.NO_CONTEXT_TAKEOVER),
                arguments("Compression.DEFAULT", Compression.DEFAULT, DeflateParameters.CONTEXT_TAKEOVER),
                arguments("Compression.DEFAULT and 9-bit windows", Compression.DEFAULT.withMaxWindowBits(9, 9),
                        DeflateParameters.CONTEXT_TAKEOVER.withMaxWindowBits(9, 9)));
    }

    @Test
    void clientOfferingNoContextTakeoverExchangesSamplesUpToAMebibyteWithDuplexServer() throws Exception {
        peerClientExchanges(Payloads.samplesUpTo(MEBIBYTE), List.of("--permessage-deflate", NO_CONTEXT_TAKEOVER),
                Compression.DEFAULT, DeflateParameters.NO_CONTEXT_TAKEOVER);
    }

    @ParameterizedTest(name = "client offering {0}-bit windows")
    @ValueSource(ints = {9, 15})
    void clientOfferingWindowsExchangesSamplesUpToAMebibyteWithDuplexServer(int bits) throws Exception {
        // RFC 7692 §7.1.2.1: a server accepts an offer of server_max_window_bits "by including the
        // server_max_window_bits extension parameter in the extension negotiation response"; websockets' client
        // fails the handshake ("expected server_max_window_bits") when the answer leaves it out.
        String offer = "{\"server_max_window_bits\": " + bits + ", \"client_max_window_bits\": " + bits + "}";
        peerClientExchanges(Payloads.samplesUpTo(MEBIBYTE), List.of("--permessage-deflate", offer),
                Compression.DEFAULT, DeflateParameters.CONTEXT_TAKEOVER.withMaxWindowBits(bits, bits));
    }
}
