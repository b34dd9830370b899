package dev.duplex.interop;

import dev.duplex.ClientOptions;
import dev.duplex.CloseStatus;
import dev.duplex.Compression;
import dev.duplex.HandshakeRequest;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketException;
import org.junit.jupiter.api.AfterEach;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.duplex.interop.Payloads.MEBIBYTE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * permessage-deflate (RFC 7692) against one peer implementation, both ways, with every {@link Payloads#samples()
 * sample} from 0 B to 4 MiB, random and compressible, text and binary: Duplex's client against the peer's echo server,
 * and the peer's client against Duplex's echo server. Each exchange first checks that compression was agreed, and
 * to what, as both ends saw it: the peer prints the {@code Sec-WebSocket-Extensions} answer it sent or received
 * ({@code extensions VALUE}), Duplex's client has it in {@code WebSocket.headers()}, and Duplex's server records the
 * offer in {@link DuplexEchoServer#upgrades()}. A subclass names the {@link Peer} and the settings to try.
 */
abstract class DeflateInteropTest {

    /** Time for a peer to start and say it is listening: an interpreter start, with room for a slow CI machine. */
    static final Duration STARTUP = Duration.ofSeconds(15);
    /** Time for one echo on loopback, 4 MiB compressed and inflated twice included. */
    static final Duration STEP = Duration.ofSeconds(10);
    /** Time for a peer client to run all 32 samples: about 21 MiB each way. */
    static final Duration CLIENT_RUN = Duration.ofSeconds(30);
    /** Room for the 4 MiB samples, compressed or not; the peers' scripts allow 16 MiB. */
    static final Limits FOUR_MEBIBYTE_MESSAGES =
            Limits.DEFAULT.withMaxMessageSize(8 * MEBIBYTE).withMaxFrameSize(8 * MEBIBYTE);

    private final Closer closer = new Closer();

    /** The peer implementation under test. */
    abstract Peer peer();

    @AfterEach
    void closeEverything() throws Exception {
        closer.close();
    }

    /**
     * Connects Duplex's client, offering {@code compression}, to the peer's echo server started with
     * {@code serverOptions}; asserts that both agree on {@code expected}, that every sample comes back with its type
     * and bytes, and that the peer sees a clean close.
     */
    void duplexClientExchangesEverySample(List<String> serverOptions, Compression compression,
                                          DeflateParameters expected) throws Exception {
        duplexClientExchanges(Payloads.samples(), serverOptions, compression, expected);
    }

    /** {@link #duplexClientExchangesEverySample} with these samples only. */
    void duplexClientExchanges(List<Payloads.Sample> samples, List<String> serverOptions, Compression compression,
                               DeflateParameters expected) throws Exception {
        PeerProcess server = keep(peer().startEchoServer(serverOptions));
        int port = Peer.awaitListening(server, STARTUP);
        ClientOptions options = ClientOptions.DEFAULT.withLimits(FOUR_MEBIBYTE_MESSAGES).withCompression(compression);
        WebSocket ws = keep(WebSocket.connect(URI.create("ws://127.0.0.1:" + port + "/"), Headers.EMPTY, options));

        Optional<String> answer = ws.headers().first("Sec-WebSocket-Extensions");
        assertThat(answer).as("Sec-WebSocket-Extensions of the response Duplex's client got").isPresent();
        assertThat(report(server, "extensions ")).as("the answer %s says it sent", peer().name())
                .isEqualTo("extensions " + answer.get());
        assertThat(DeflateParameters.parse(answer.get())).as("what \"%s\" agrees to", answer.get())
                .isEqualTo(expected);

        for (Payloads.Sample sample : samples) {
            Message sent = sample.message();
            send(ws, sent, sample);
            Message echo = receive(ws, server, sample);
            assertThat(echo).as("the echo of %s", sample.step()).isNotNull();
            assertThat(echo.getClass()).as("the type of the echo of %s", sample.step()).isEqualTo(sent.getClass());
            Payloads.assertSameBytes(sample.step(), echo.toBytes(), sent.toBytes());
        }

        ws.close();
        assertThat(report(server, "closed ")).as("the close %s saw", peer().name()).isEqualTo("closed 1000 ");
    }

    /**
     * Runs the peer's client, started with {@code clientOptions}, against Duplex's echo server agreeing to
     * {@code compression}; asserts that the client saw the answer {@code expected}, that every sample came back with
     * its type and bytes, and that the handler's stream ended cleanly.
     */
    void peerClientExchangesEverySample(List<String> clientOptions, Compression compression,
                                        DeflateParameters expected) throws Exception {
        peerClientExchanges(Payloads.samples(), clientOptions, compression, expected);
    }

    /** {@link #peerClientExchangesEverySample} with these samples only. */
    void peerClientExchanges(List<Payloads.Sample> samples, List<String> clientOptions, Compression compression,
                             DeflateParameters expected) throws Exception {
        DuplexEchoServer server = keep(DuplexEchoServer.start(ServerOptions.DEFAULT
                .withLimits(FOUR_MEBIBYTE_MESSAGES).withCompression(compression)));
        List<String> steps = new ArrayList<>(List.of("extensions"));
        samples.forEach(sample -> steps.add(sample.step()));
        steps.add("close:1000:");

        List<String> lines = peer().runClient(clientOptions, server.uri(), steps, CLIENT_RUN);

        assertThat(server.upgrades()).singleElement().extracting(HandshakeRequest::headers)
                .satisfies(headers -> assertThat(headers.first("Sec-WebSocket-Extensions"))
                        .as("the offer that reached Duplex's server").hasValueSatisfying(
                                offer -> assertThat(offer).startsWithIgnoringCase("permessage-deflate")));
        assertThat(lines).as("%s client output", peer().name()).hasSize(steps.size() + 2);
        String answer = lines.getFirst();
        assertThat(answer).as("the first line of the client").startsWith("extensions ");
        assertThat(DeflateParameters.parse(answer.substring("extensions ".length())))
                .as("what \"%s\" agrees to", answer).isEqualTo(expected);
        assertThat(lines.subList(1, lines.size() - 1)).as("the steps the client did")
                .isEqualTo(steps.stream().map(step -> "ok " + step).toList());
        assertThat(lines.getLast()).as("the Close the client received").isEqualTo("closed 1000 ");
        DuplexEchoServer.End end = server.awaitEnd(STEP);
        assertThat(end.failure()).as("what receive() threw in Duplex's handler").isNull();
        assertThat(end.closeStatus()).contains(CloseStatus.NORMAL_CLOSURE);
    }

    /** Sends one sample; a failure names it. */
    private static void send(WebSocket ws, Message message, Payloads.Sample sample) throws IOException {
        try {
            ws.send(message);
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("Duplex's client failed to send " + sample.step() + ": " + e, e);
        }
    }

    /** The next message, within {@link #STEP}; a failure shows what the peer server printed. */
    private static Message receive(WebSocket ws, PeerProcess server, Payloads.Sample sample)
            throws IOException, InterruptedException {
        try {
            if (WebSocket.select(List.of(ws), STEP).isEmpty()) {
                throw server.failure("sent no echo of " + sample.step() + " within " + STEP.toMillis() + " ms");
            }
            return ws.receive();
        } catch (WebSocketException e) {
            throw new AssertionError(server.failure("echoing " + sample.step() + " failed: " + e.getMessage()
                    + " (" + e.status() + ")").getMessage(), e);
        }
    }

    /** The next line the peer server prints that starts with {@code prefix}; a reported error fails the test. */
    private static String report(PeerProcess server, String prefix) {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (true) {
            String line = server.nextLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (line.startsWith("error ")) {
                throw server.failure("reported an error");
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    <T extends AutoCloseable> T keep(T resource) {
        return closer.keep(resource);
    }
}
