package dev.duplex.protocol.legacy;

import dev.duplex.CloseStatus;
import dev.duplex.Framing;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.Protocol;
import dev.duplex.protocol.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The legacy framings against the framing table of spec/legacy-websocket.md, byte for byte. */
class LegacyProtocolTest {

    /** The framing table: string, OLD bytes, NEW bytes. */
    static Stream<Arguments> framingTable() {
        return Stream.of(
                Arguments.of("hello", "0068656c6c6fff", "ff000000000000000568656c6c6f"),
                Arguments.of("", "00ff", "ff0000000000000000"),
                Arguments.of("hé€", "0068c3a9e282acff", "ff000000000000000668c3a9e282ac"));
    }

    static final String OLD_CLOSE = "ff00";
    static final String NEW_CLOSE = "000000000000000000";

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    static String drainOutput(Protocol p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b; (b = p.nextOutput()) != null; ) {
            if (b == Protocol.END_OF_STREAM) {
                out.writeBytes("|EOS".getBytes());
            } else {
                byte[] bytes = new byte[b.remaining()];
                b.duplicate().get(bytes);
                out.writeBytes(HexFormat.of().formatHex(bytes).getBytes());
            }
        }
        return out.toString();
    }

    static List<Event> events(Protocol p) {
        List<Event> events = new ArrayList<>();
        for (Event e; (e = p.nextEvent()) != null; ) {
            events.add(e);
        }
        return events;
    }

    /** The ways of feeding the same bytes: whole, halved, a byte at a time, and seeded random splits. */
    static List<List<byte[]>> splits(byte[] bytes) {
        List<List<byte[]>> ways = new ArrayList<>();
        ways.add(List.of(bytes));
        int half = bytes.length / 2;
        ways.add(List.of(java.util.Arrays.copyOfRange(bytes, 0, half), java.util.Arrays.copyOfRange(bytes, half, bytes.length)));
        List<byte[]> single = new ArrayList<>();
        for (byte b : bytes) {
            single.add(new byte[] {b});
        }
        ways.add(single);
        Random random = new Random(0x76);
        for (int r = 0; r < 5; r++) {
            List<byte[]> parts = new ArrayList<>();
            for (int i = 0; i < bytes.length; ) {
                int n = Math.min(bytes.length - i, 1 + random.nextInt(4));
                parts.add(java.util.Arrays.copyOfRange(bytes, i, i + n));
                i += n;
            }
            ways.add(parts);
        }
        return ways;
    }

    static List<Event> feed(Protocol p, List<byte[]> parts) {
        List<Event> events = new ArrayList<>();
        for (byte[] part : parts) {
            ByteBuffer b = ByteBuffer.wrap(part);
            p.receive(b);
            assertThat(b.hasRemaining()).as("receive consumes everything").isFalse();
            events.addAll(events(p));
        }
        return events;
    }

    static LegacyProtocol protocol(Framing framing, Role role) {
        return new LegacyProtocol(framing, role, Limits.DEFAULT.withMaxMessageSize(64));
    }

    @ParameterizedTest
    @MethodSource("framingTable")
    void sendingWritesTheFramingTableBytes(String text, String oldBytes, String newBytes) {
        for (Role role : Role.values()) {
            LegacyProtocol old = protocol(Framing.OLD, role);
            old.send(Message.text(text));
            assertThat(drainOutput(old)).isEqualTo(oldBytes);
            LegacyProtocol neu = protocol(Framing.NEW, role);
            neu.send(Message.text(text));
            assertThat(drainOutput(neu)).isEqualTo(newBytes);
        }
    }

    @ParameterizedTest
    @MethodSource("framingTable")
    void receivingTheFramingTableBytesGivesTheTextFedAnyWay(String text, String oldBytes, String newBytes) {
        for (Framing framing : new Framing[] {Framing.OLD, Framing.NEW}) {
            byte[] bytes = hex(framing == Framing.OLD ? oldBytes + oldBytes : newBytes + newBytes);
            for (List<byte[]> way : splits(bytes)) {
                LegacyProtocol p = protocol(framing, Role.SERVER);
                assertThat(feed(p, way)).as(framing + " split into " + way.size())
                        .containsExactly(new Event.Received(Message.text(text)), new Event.Received(Message.text(text)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Framing.class, names = {"OLD", "NEW"})
    void closeWritesTheSpecsCloseFrame(Framing framing) {
        LegacyProtocol client = protocol(framing, Role.CLIENT);
        client.close(CloseStatus.NORMAL_CLOSURE);
        assertThat(drainOutput(client)).isEqualTo(framing == Framing.OLD ? OLD_CLOSE : NEW_CLOSE);
        assertThat(client.state()).isEqualTo(Protocol.State.CLOSING);
        assertThatThrownBy(() -> client.send(Message.text("late"))).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @EnumSource(value = Framing.class, names = {"OLD", "NEW"})
    void aReceivedCloseFrameIsAnsweredOnceTheApplicationIsReadyAndTheServerThenClosesTcp(Framing framing) {
        String close = framing == Framing.OLD ? OLD_CLOSE : NEW_CLOSE;
        for (List<byte[]> way : splits(hex(close))) {
            LegacyProtocol server = protocol(framing, Role.SERVER);
            assertThat(feed(server, way)).containsExactly(new Event.CloseReceived(CloseStatus.NO_STATUS_RCVD));
            assertThat(server.hasPendingClose()).isTrue();
            assertThat(drainOutput(server)).isEmpty();
            server.send(Message.text("still allowed")); // an echo of what came before the close
            server.sendPendingClose();
            assertThat(drainOutput(server)).endsWith(close + "|EOS");
            assertThat(server.state()).isEqualTo(Protocol.State.CLOSED);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Framing.class, names = {"OLD", "NEW"})
    void theClientWaitsForTheServerToCloseTcpAfterAnsweringAClose(Framing framing) {
        LegacyProtocol client = protocol(framing, Role.CLIENT);
        client.receive(ByteBuffer.wrap(hex(framing == Framing.OLD ? OLD_CLOSE : NEW_CLOSE)));
        client.sendPendingClose();
        assertThat(drainOutput(client)).doesNotContain("EOS");
        client.receiveEof();
        assertThat(events(client)).containsExactly(new Event.CloseReceived(CloseStatus.NO_STATUS_RCVD));
        assertThat(client.state()).isEqualTo(Protocol.State.CLOSED);
    }

    @ParameterizedTest
    @EnumSource(value = Framing.class, names = {"OLD", "NEW"})
    void theEndOfTheStreamBetweenFramesIsACleanEnd(Framing framing) {
        LegacyProtocol client = protocol(framing, Role.CLIENT);
        client.receive(ByteBuffer.wrap(hex(framing == Framing.OLD ? "0061ff" : "ff000000000000000161")));
        client.receiveEof();
        assertThat(events(client)).containsExactly(new Event.Received(Message.text("a")),
                new Event.CloseReceived(CloseStatus.NO_STATUS_RCVD));
    }

    @Test
    void oldFramingZeroFfWithNothingAfterItFailsWhenTheStreamEnds() {
        LegacyProtocol p = protocol(Framing.OLD, Role.CLIENT);
        p.receive(ByteBuffer.wrap(hex("ff")));
        assertThat(events(p)).isEmpty();
        p.receiveEof();
        assertThat(events(p)).singleElement().isInstanceOfSatisfying(Event.Failed.class, f -> {
            assertThat(f.status()).isEqualTo(CloseStatus.ABNORMAL_CLOSURE);
            assertThat(f.reason()).contains("inside a close frame");
        });
    }

    @Test
    void oldFramingTextWithoutItsTerminatorIsCutOffAtTheSizeLimit() {
        LegacyProtocol p = protocol(Framing.OLD, Role.SERVER); // limit 64 bytes
        byte[] endless = new byte[1 + 65];
        java.util.Arrays.fill(endless, (byte) 'a');
        endless[0] = 0x00;
        for (List<byte[]> way : splits(endless)) {
            LegacyProtocol q = protocol(Framing.OLD, Role.SERVER);
            assertThat(feed(q, way)).singleElement().isInstanceOfSatisfying(Event.Failed.class,
                    f -> assertThat(f.status().code()).isEqualTo(1009));
            q.sendPendingClose();
            assertThat(drainOutput(q)).isEqualTo(OLD_CLOSE + "|EOS");
        }
        // Exactly at the limit is fine.
        byte[] atLimit = new byte[1 + 64 + 1];
        java.util.Arrays.fill(atLimit, (byte) 'b');
        atLimit[0] = 0x00;
        atLimit[65] = (byte) 0xFF;
        p.receive(ByteBuffer.wrap(atLimit));
        assertThat(events(p)).singleElement().isEqualTo(new Event.Received(Message.text("b".repeat(64))));
    }

    @ParameterizedTest
    @EnumSource(value = Framing.class, names = {"OLD", "NEW"})
    void invalidUtf8FailsWith1007AsSoonAsTheBadByteArrives(Framing framing) {
        // "a", then 0xC0 (never valid), and the frame is not finished yet.
        byte[] bytes = hex(framing == Framing.OLD ? "0061c0" : "ff000000000000000a61c0");
        LegacyProtocol p = protocol(framing, Role.SERVER);
        p.receive(ByteBuffer.wrap(bytes));
        assertThat(events(p)).singleElement().isInstanceOfSatisfying(Event.Failed.class,
                f -> assertThat(f.status().code()).isEqualTo(1007));
    }

    @Test
    void newFramingLengthOverTheLimitFailsBeforeThePayloadArrives() {
        LegacyProtocol p = protocol(Framing.NEW, Role.SERVER);
        p.receive(ByteBuffer.wrap(hex("ff0000000000000041"))); // 65 > 64
        assertThat(events(p)).singleElement().isInstanceOfSatisfying(Event.Failed.class,
                f -> assertThat(f.status().code()).isEqualTo(1009));
        LegacyProtocol q = protocol(Framing.NEW, Role.SERVER);
        q.receive(ByteBuffer.wrap(hex("ffffffffffffffffff"))); // 2^64 - 1
        assertThat(events(q)).singleElement().isInstanceOfSatisfying(Event.Failed.class,
                f -> assertThat(f.status().code()).isEqualTo(1009));
    }

    @Test
    void newFramingTruncatedLengthFailsWhenTheStreamEnds() {
        LegacyProtocol p = protocol(Framing.NEW, Role.CLIENT);
        p.receive(ByteBuffer.wrap(hex("ff00000000")));
        p.receiveEof();
        assertThat(events(p)).singleElement().isInstanceOfSatisfying(Event.Failed.class, f -> {
            assertThat(f.status()).isEqualTo(CloseStatus.ABNORMAL_CLOSURE);
            assertThat(f.reason()).contains("inside a frame");
        });
    }

    @ParameterizedTest
    @EnumSource(value = Framing.class, names = {"OLD", "NEW"})
    void otherFrameTypesFailInsteadOfBeingMisread(Framing framing) {
        LegacyProtocol p = protocol(framing, Role.SERVER);
        p.receive(ByteBuffer.wrap(hex("80036162 63ff".replace(" ", ""))));
        assertThat(events(p)).singleElement().isInstanceOfSatisfying(Event.Failed.class, f -> {
            assertThat(f.status().code()).isEqualTo(1002);
            assertThat(f.reason()).contains("unsupported frame type 0x80");
        });
    }

    @ParameterizedTest
    @EnumSource(value = Framing.class, names = {"OLD", "NEW"})
    void binaryMessagesAndPingsAreRefusedWithAClearException(Framing framing) {
        LegacyProtocol p = protocol(framing, Role.CLIENT);
        assertThatThrownBy(() -> p.send(Message.binary(new byte[] {1})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text only");
        assertThatThrownBy(() -> p.ping(ByteBuffer.allocate(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no ping");
    }

    @Test
    void bytesAfterAFailureAreNotProcessed() {
        LegacyProtocol p = protocol(Framing.OLD, Role.SERVER);
        p.receive(ByteBuffer.wrap(hex("0061ff" + "7a" + "0062ff")));
        List<Event> events = events(p);
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isEqualTo(new Event.Received(Message.text("a")));
        assertThat(events.get(1)).isInstanceOf(Event.Failed.class);
    }
}
