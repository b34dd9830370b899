package dev.duplex.interop;

import dev.duplex.CloseStatus;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocketException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.duplex.interop.Payloads.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDK's own client, {@code java.net.http.WebSocket}, against Duplex's echo server ({@link DuplexEchoServer}),
 * over {@code ws://} and over {@code wss://} with an {@link HttpClient} that trusts a {@link TestCa}. The server
 * speaks the subprotocol {@code chat}.
 *
 * <p>The JDK hands large messages to its listener in parts; {@link Events} joins them into whole messages, so that
 * each test sees what a Duplex client would.
 */
@DisplayName("JDK java.net.http.WebSocket")
@Timeout(30)
class JdkClientTest {

    private static final Duration STEP = Duration.ofSeconds(10);

    @TempDir
    static Path certificates;
    private static TestCa ca;

    private DuplexEchoServer server;
    private HttpClient client;
    private WebSocket ws;

    @BeforeAll
    static void makeCertificates() throws Exception {
        ca = TestCa.create(certificates);
    }

    /**
     * Drops the connection, stops the server, then the client. {@code HttpClient.close()} would wait without a bound
     * for a WebSocket still open, so the client is shut down and then awaited with a deadline.
     */
    @AfterEach
    void stop() throws InterruptedException {
        if (ws != null) {
            ws.abort();
        }
        if (server != null) {
            server.close();
        }
        if (client != null) {
            client.shutdownNow();
            assertThat(client.awaitTermination(STEP)).as("the HttpClient terminated").isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void textAndMultiByteTextAreEchoed(Transport transport) throws Exception {
        Events events = new Events();
        WebSocket ws = open(transport, events);
        ws.sendText("Hello, Duplex", true).get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(events.next()).isEqualTo(new Event.Text("Hello, Duplex"));
        ws.sendText(Payloads.MULTI_BYTE_TEXT, true).get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(events.next()).isEqualTo(new Event.Text(Payloads.MULTI_BYTE_TEXT));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void binaryIsEchoedAsBinary(Transport transport) throws Exception {
        Events events = new Events();
        WebSocket ws = open(transport, events);
        ws.sendBinary(ByteBuffer.wrap(Payloads.allByteValues()), true).get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        assertSameBytes(events.nextBinary(), Payloads.allByteValues());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void mebibyteTextIsEchoedByteIdenticalInParts(Transport transport) throws Exception {
        Events events = new Events();
        WebSocket ws = open(transport, events);
        String text = Payloads.mebibyteText();
        ws.sendText(text, true).get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        Event echo = events.next();
        assertThat(echo).isInstanceOf(Event.Text.class);
        assertSameBytes(((Event.Text) echo).text().getBytes(StandardCharsets.UTF_8),
                text.getBytes(StandardCharsets.UTF_8));
        assertThat(events.textParts).as("parts the JDK delivered the echo in").isGreaterThan(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void mebibyteBinaryIsEchoedByteIdenticalInParts(Transport transport) throws Exception {
        Events events = new Events();
        WebSocket ws = open(transport, events);
        ws.sendBinary(ByteBuffer.wrap(Payloads.mebibyteBinary()), true).get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        assertSameBytes(events.nextBinary(), Payloads.mebibyteBinary());
        assertThat(events.binaryParts).as("parts the JDK delivered the echo in").isGreaterThan(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theServersSubprotocolIsSelectedFromThoseOffered(Transport transport) throws Exception {
        Events events = new Events();
        WebSocket ws = open(transport, events, "superchat", "chat");
        assertThat(ws.getSubprotocol()).isEqualTo("chat");
        assertThat(server.upgrades()).singleElement()
                .satisfies(request -> assertThat(request.subprotocols()).containsExactly("superchat", "chat"));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void pingIsAnsweredWithAPongCarryingTheSamePayload(Transport transport) throws Exception {
        Events events = new Events();
        WebSocket ws = open(transport, events);
        byte[] payload = "jdk-ping".getBytes(StandardCharsets.UTF_8);
        ws.sendPing(ByteBuffer.wrap(payload)).get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(events.next()).isInstanceOfSatisfying(Event.Pong.class,
                pong -> assertSameBytes(pong.payload(), payload));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void serverPingReachesTheJdkClientAndTheConnectionGoesOn(Transport transport) throws Exception {
        Events events = new Events();
        WebSocket ws = open(transport, events);
        ws.sendText("ping:from duplex", true).get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(events.next()).isInstanceOfSatisfying(Event.Ping.class,
                ping -> assertThat(new String(ping.payload(), StandardCharsets.UTF_8)).isEqualTo("from duplex"));
        ws.sendText("after ping", true).get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(events.next()).isEqualTo(new Event.Text("after ping"));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void jdkClosingWith1000EndsTheHandlersStreamCleanly(Transport transport) throws Exception {
        Events events = new Events();
        WebSocket ws = open(transport, events);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(events.next()).as("the Close Duplex answered with").isEqualTo(new Event.Close(1000, ""));
        DuplexEchoServer.End end = server.awaitEnd(STEP);
        assertThat(end.failure()).as("what receive() threw").isNull();
        assertThat(end.closeStatus()).contains(CloseStatus.NORMAL_CLOSURE);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void jdkClosingWith4000FailsTheHandlersReceiveWithThatStatus(Transport transport) throws Exception {
        Events events = new Events();
        WebSocket ws = open(transport, events);
        ws.sendClose(4000, "jdk bye").get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(events.next()).isInstanceOfSatisfying(Event.Close.class,
                close -> assertThat(close.code()).as("the code Duplex answered with").isEqualTo(4000));
        DuplexEchoServer.End end = server.awaitEnd(STEP);
        assertThat(end.failure()).isInstanceOfSatisfying(WebSocketException.class,
                e -> assertThat(e.status()).isEqualTo(CloseStatus.of(4000, "jdk bye")));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void handlerClosingWith4001IsReportedToTheJdkClient(Transport transport) throws Exception {
        Events events = new Events();
        WebSocket ws = open(transport, events);
        ws.sendText("close:4001:bye", true).get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(events.next()).isEqualTo(new Event.Close(4001, "bye"));
        DuplexEchoServer.End end = server.awaitEnd(STEP);
        assertThat(end.failure()).as("what receive() threw after the handler closed").isNull();
        assertThat(end.closeStatus().map(CloseStatus::code)).as("the code the JDK answered with").contains(4001);
        assertThat(ws.isInputClosed()).isTrue();
    }

    // ---------------------------------------------------------------- plumbing

    /** Starts the echo server for {@code transport} and opens a JDK WebSocket to it, offering these subprotocols. */
    private WebSocket open(Transport transport, Events events, String... subprotocols) throws Exception {
        ServerOptions options = ServerOptions.DEFAULT.withSubprotocols("chat");
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(STEP);
        if (transport == Transport.TLS) {
            options = options.withTls(ca.serverContext());
            http.sslContext(ca.clientContext());
        }
        server = DuplexEchoServer.start(options);
        client = http.build();
        WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(STEP);
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        ws = builder.buildAsync(server.uri(), events).get(STEP.toMillis(), TimeUnit.MILLISECONDS);
        return ws;
    }

    /** What the JDK's listener saw, one whole message or control frame at a time. */
    sealed interface Event {
        record Text(String text) implements Event {
        }

        record Binary(byte[] data) implements Event {
        }

        record Ping(byte[] payload) implements Event {
        }

        record Pong(byte[] payload) implements Event {
        }

        record Close(int code, String reason) implements Event {
        }

        record Error(Throwable error) implements Event {
        }
    }

    /** A listener that joins partial messages and queues every event for the test thread. */
    private static final class Events implements WebSocket.Listener {

        private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        /** How many parts the last whole message of each type came in; only touched by the JDK's listener calls. */
        volatile int textParts;
        volatile int binaryParts;
        private int parts;

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            parts++;
            if (last) {
                textParts = parts;
                parts = 0;
                queue.add(new Event.Text(text.toString()));
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            parts++;
            if (last) {
                binaryParts = parts;
                parts = 0;
                queue.add(new Event.Binary(binary.toByteArray()));
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            queue.add(new Event.Ping(bytes(message)));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            queue.add(new Event.Pong(bytes(message)));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            queue.add(new Event.Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            queue.add(new Event.Error(error));
        }

        Event next() throws InterruptedException {
            Event event = queue.poll(STEP.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("the JDK client saw nothing within " + STEP.toMillis() + " ms");
            }
            if (event instanceof Event.Error e) {
                throw new AssertionError("the JDK client failed", e.error());
            }
            return event;
        }

        byte[] nextBinary() throws InterruptedException {
            Event event = next();
            assertThat(event).isInstanceOf(Event.Binary.class);
            return ((Event.Binary) event).data();
        }

        private static byte[] bytes(ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        }
    }
}
