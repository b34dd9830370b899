package dev.duplex.protocol.deflate;

import dev.duplex.CloseStatus;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.protocol.Bytes;
import dev.duplex.protocol.EachFeeding;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.Feeding;
import dev.duplex.protocol.Frames;
import dev.duplex.protocol.Role;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;

/** permessage-deflate in the protocol: RFC 7692's own examples first, then limits, failures and windows. */
class PerMessageDeflateTest {

    static final DeflateNegotiation.Agreement TAKEOVER = new DeflateNegotiation.Agreement(false, false, 15, 15);
    static final DeflateNegotiation.Agreement NO_TAKEOVER = new DeflateNegotiation.Agreement(true, true, 15, 15);

    static PerMessageDeflate deflate(Role role, DeflateNegotiation.Agreement agreement) {
        return new PerMessageDeflate(role, agreement, 0, Deflater.DEFAULT_COMPRESSION, Zlib.UNPOOLED);
    }

    static Endpoint endpoint(Role role, Feeding way, DeflateNegotiation.Agreement agreement) {
        return Endpoint.withDeflate(role, way, Limits.DEFAULT, deflate(role, agreement));
    }

    static Event.Received text(String s) {
        return new Event.Received(Message.text(s));
    }

    /** RFC 7692 §7.2.3: each example fed to a client as written, and to a server masked; every feeding way. */
    @Nested
    class Rfc7692Examples {

        @EachFeeding
        void aMessageInOneCompressedFrame(Feeding way) {
            for (Role role : Role.values()) {
                endpoint(role, way, TAKEOVER).feedFromPeer("c1 07 f2 48 cd c9 c9 07 00")
                        .assertEvents().containsExactly(text("Hello"));
            }
        }

        @EachFeeding
        void aCompressedMessageInTwoFragments(Feeding way) {
            for (Role role : Role.values()) {
                endpoint(role, way, TAKEOVER).feedFromPeer("41 03 f2 48 cd 80 04 c9 c9 07 00")
                        .assertEvents().containsExactly(text("Hello"));
            }
        }

        /** §7.2.3.2: the second "Hello" refers back into the first one's window. */
        @EachFeeding
        void twoMessagesSharingTheWindow(Feeding way) {
            for (Role role : Role.values()) {
                endpoint(role, way, TAKEOVER).feedFromPeer("c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00")
                        .assertEvents().containsExactly(text("Hello"), text("Hello"));
            }
        }

        /** §7.2.3.3: a DEFLATE block with no compression. */
        @EachFeeding
        void aStoredBlock(Feeding way) {
            for (Role role : Role.values()) {
                endpoint(role, way, TAKEOVER).feedFromPeer("c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00")
                        .assertEvents().containsExactly(text("Hello"));
            }
        }

        /** §7.2.3.4: a block with BFINAL set; the decompressor is replaced after it. */
        @EachFeeding
        void aFinalBlock(Feeding way) {
            for (Role role : Role.values()) {
                endpoint(role, way, TAKEOVER).feedFromPeer("c1 08 f3 48 cd c9 c9 07 00 00 c1 07 f2 48 cd c9 c9 07 00")
                        .assertEvents().containsExactly(text("Hello"), text("Hello"));
            }
        }

        /** §7.2.3.5: two DEFLATE blocks in one message. */
        @EachFeeding
        void twoBlocksInOneMessage(Feeding way) {
            for (Role role : Role.values()) {
                endpoint(role, way, TAKEOVER).feedFromPeer("c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00")
                        .assertEvents().containsExactly(text("Hello"));
            }
        }

        /** §7.2.3.6: an empty message as an empty DEFLATE block. */
        @EachFeeding
        void anEmptyMessage(Feeding way) {
            for (Role role : Role.values()) {
                endpoint(role, way, TAKEOVER).feedFromPeer("c1 01 00")
                        .assertEvents().containsExactly(text(""));
            }
        }

        @Test
        void aServerCompressesHelloAsTheRfcDoes() {
            Endpoint server = endpoint(Role.SERVER, Feeding.WHOLE, TAKEOVER);
            server.protocol().send(Message.text("Hello"));
            server.protocol().send(Message.text("Hello"));
            // With context takeover the second refers back to the first (§7.2.3.2).
            server.assertOutputIs("c1 07 f2 48 cd c9 c9 07 00", "c1 05 f2 00 11 00 00");
        }

        @Test
        void withoutContextTakeoverEveryMessageIsCompressedAlone() {
            byte[] text = "Hello, Hello, Hello, Hello!".getBytes(StandardCharsets.UTF_8);
            Endpoint server = endpoint(Role.SERVER, Feeding.WHOLE, NO_TAKEOVER);
            server.protocol().send(Message.binary(text));
            server.protocol().send(Message.binary(text));
            List<String> frames = server.output();
            assertThat(frames).hasSize(2);
            assertThat(frames.get(1)).as("no reference into the first message").isEqualTo(frames.get(0));
            assertThat(Bytes.hex(frames.get(0))[0] & 0xFF).isEqualTo(0xC2);
        }

        /** A message that compression would make longer is sent as it is when no context must be kept. */
        @Test
        void withoutContextTakeoverHelloIsSentUncompressedSinceItWouldGrow() {
            Endpoint server = endpoint(Role.SERVER, Feeding.WHOLE, NO_TAKEOVER);
            server.protocol().send(Message.text("Hello"));
            server.assertOutputIs("81 05 48 65 6c 6c 6f");
        }

        /** zlib writes nothing for a sync flush with no new input, so an empty message is written by hand. */
        @Test
        void emptyMessagesAfterOthersAreTheEmptyBlockWithContextTakeover() {
            Endpoint server = endpoint(Role.SERVER, Feeding.WHOLE, TAKEOVER);
            server.protocol().send(Message.text(""));
            server.protocol().send(Message.text(""));
            server.protocol().send(Message.text("Hello"));
            server.protocol().send(Message.text(""));
            server.assertOutputIs("c1 01 00", "c1 01 00", "c1 07 f2 48 cd c9 c9 07 00", "c1 01 00");
            Endpoint client = endpoint(Role.CLIENT, Feeding.WHOLE, TAKEOVER);
            client.feed("c1 01 00 c1 01 00 c1 07 f2 48 cd c9 c9 07 00 c1 01 00")
                    .assertEvents().containsExactly(text(""), text(""), text("Hello"), text(""));
        }

        @Test
        void aClientMasksTheCompressedPayload() {
            Endpoint client = endpoint(Role.CLIENT, Feeding.WHOLE, TAKEOVER);
            client.protocol().send(Message.text("Hello"));
            assertThat(client.output()).containsExactly(client.sent("c1 07 f2 48 cd c9 c9 07 00"));
        }
    }

    @Nested
    class Rules {

        /** RFC 7692 §6.1: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames and non-first
         * fragments of a data message." */
        @EachFeeding
        void rsv1OnAContinuationFrameFailsWith1002(Feeding way) {
            for (Role role : Role.values()) {
                List<Event> events = endpoint(role, way, TAKEOVER).feedFromPeer("41 03 f2 48 cd c0 04 c9 c9 07 00")
                        .events();
                assertThat(events).singleElement().isInstanceOfSatisfying(Event.Failed.class,
                        f -> assertThat(f.status().code()).isEqualTo(1002));
            }
        }

        @EachFeeding
        void rsv1OnAControlFrameFailsWith1002(Feeding way) {
            List<Event> events = endpoint(Role.CLIENT, way, TAKEOVER).feedFromPeer("c9 00").events();
            assertThat(events).singleElement().isInstanceOfSatisfying(Event.Failed.class,
                    f -> assertThat(f.status().code()).isEqualTo(1002));
        }

        @EachFeeding
        void rsv2AndRsv3StayErrorsWithPermessageDeflate(Feeding way) {
            for (String header : new String[] {"a1 00", "91 00"}) {
                List<Event> events = endpoint(Role.CLIENT, way, TAKEOVER).feedFromPeer(header).events();
                assertThat(events).singleElement().isInstanceOfSatisfying(Event.Failed.class,
                        f -> assertThat(f.status().code()).isEqualTo(1002));
            }
        }

        @EachFeeding
        void invalidCompressedDataFailsWith1007(Feeding way) {
            // 0xFF starts a block of type 3, which does not exist.
            List<Event> events = endpoint(Role.CLIENT, way, TAKEOVER).feedFromPeer("c1 02 ff ff").events();
            assertThat(events).singleElement().isInstanceOfSatisfying(Event.Failed.class,
                    f -> assertThat(f.status().code()).isEqualTo(1007));
        }

        @EachFeeding
        void invalidUtf8InsideCompressedTextFailsWith1007(Feeding way) {
            byte[] bad = compress(new byte[] {'a', (byte) 0xC0, 'b'});
            List<Event> events = endpoint(Role.CLIENT, way, TAKEOVER)
                    .feed(Frames.frame(true, 0x1, bad, 0b100)).events();
            assertThat(events).singleElement().isInstanceOfSatisfying(Event.Failed.class,
                    f -> assertThat(f.status().code()).isEqualTo(1007));
        }

        @Test
        void messagesUnderTheThresholdAreSentAsTheyAre() {
            PerMessageDeflate d = new PerMessageDeflate(Role.SERVER, TAKEOVER, 10, -1, Zlib.UNPOOLED);
            Endpoint server = Endpoint.withDeflate(Role.SERVER, Feeding.WHOLE, Limits.DEFAULT, d);
            server.protocol().send(Message.text("Hello"));
            server.protocol().send(Message.text("Hello Hello!"));
            List<String> frames = server.output();
            assertThat(frames.get(0)).isEqualTo(Bytes.normalize("81 05 48 65 6c 6c 6f"));
            assertThat(frames.get(1)).startsWith("c1");
        }

        @Test
        void incompressibleDataWithoutContextTakeoverIsSentUncompressed() {
            byte[] random = new byte[4000];
            new Random(1).nextBytes(random);
            Endpoint server = endpoint(Role.SERVER, Feeding.WHOLE, NO_TAKEOVER);
            server.protocol().send(Message.binary(random));
            byte[] frame = Bytes.hex(server.output().getFirst());
            assertThat(frame[0] & 0xFF).isEqualTo(0x82);
            assertThat(Frames.payload(frame)).isEqualTo(random);
        }

        /** With context takeover the compressed form must go; it goes in frames no longer than the message. */
        @Test
        void incompressibleDataWithContextTakeoverIsSentInFramesNoLongerThanTheMessage() {
            byte[] random = new byte[4000];
            new Random(2).nextBytes(random);
            Endpoint server = endpoint(Role.SERVER, Feeding.WHOLE, TAKEOVER);
            server.protocol().send(Message.binary(random));
            List<String> frames = server.output();
            assertThat(frames).hasSizeGreaterThan(1);
            assertThat(Bytes.hex(frames.getFirst())[0] & 0xF0).isEqualTo(0x40); // RSV1, not final
            for (String f : frames) {
                assertThat(Frames.payload(Bytes.hex(f)).length).isLessThanOrEqualTo(random.length);
            }
            assertThat(Bytes.hex(frames.get(1))[0] & 0x70).as("RSV1 on the first frame only").isZero();
            Endpoint client = endpoint(Role.CLIENT, Feeding.WHOLE, TAKEOVER);
            client.feed(String.join("", frames)).assertEvents()
                    .containsExactly(new Event.Received(Message.binary(random)));
        }
    }

    /** RFC 7692 §8.1 and attack rows 4-6: the inflated size counts against the limit as it is produced. */
    @Nested
    @Timeout(30)
    class Limits_ {

        @ParameterizedTest
        @ValueSource(booleans = {true, false})
        void aMessageThatInflatesToExactlyTheLimitIsReceivedAndOneByteMoreFailsWith1009(boolean takeover) {
            int limit = 100_000;
            DeflateNegotiation.Agreement agreement = takeover ? TAKEOVER : NO_TAKEOVER;
            Limits limits = Limits.DEFAULT.withMaxMessageSize(limit);
            Endpoint atLimit = Endpoint.withDeflate(Role.CLIENT, Feeding.WHOLE, limits, deflate(Role.CLIENT, agreement));
            atLimit.feed(Frames.frame(true, 0x2, compress(new byte[limit]), 0b100))
                    .assertEvents().containsExactly(new Event.Received(Message.binary(new byte[limit])));
            Endpoint over = Endpoint.withDeflate(Role.CLIENT, Feeding.WHOLE, limits, deflate(Role.CLIENT, agreement));
            assertThat(over.feed(Frames.frame(true, 0x2, compress(new byte[limit + 1]), 0b100)).events())
                    .singleElement().isInstanceOfSatisfying(Event.Failed.class, f -> {
                        assertThat(f.status().code()).isEqualTo(1009);
                        assertThat(f.reason()).contains("inflates to more than 100000 bytes");
                    });
        }

        /**
         * A bomb: 64 MiB of zeros in about 64 KiB, against the default 1 MiB limit, fed in 512-byte pieces. The
         * connection fails once about 1 MiB has come out, a few KiB into the bomb: inflating stops at the limit.
         */
        @Test
        void aDecompressionBombEndsWith1009OnceTheLimitIsInflated() {
            byte[] bomb = Frames.frame(true, 0x2, compress(new byte[64 << 20]), 0b100);
            assertThat(bomb.length).isBetween(32 * 1024, 128 * 1024);
            Endpoint client = endpoint(Role.CLIENT, Feeding.WHOLE, TAKEOVER);
            int fed = 0;
            List<Event> events = List.of();
            while (events.isEmpty() && fed < bomb.length) {
                int n = Math.min(512, bomb.length - fed);
                client.protocol().receive(ByteBuffer.wrap(bomb, fed, n));
                fed += n;
                events = client.events();
            }
            assertThat(events).singleElement().isInstanceOfSatisfying(Event.Failed.class,
                    f -> assertThat(f.status().code()).isEqualTo(1009));
            assertThat(fed).as("bytes of the bomb read before it failed").isLessThan(8 * 1024);
        }

        /** Context takeover cannot smuggle a bomb in across messages: each message is counted on its own. */
        @Test
        void aBombSplitAcrossFragmentsIsCountedAsItArrives() {
            byte[] bomb = compress(new byte[8 << 20]);
            List<byte[]> frames = new ArrayList<>();
            for (int at = 0; at < bomb.length; at += 100) {
                byte[] part = Arrays.copyOfRange(bomb, at, Math.min(bomb.length, at + 100));
                boolean first = at == 0;
                boolean last = at + 100 >= bomb.length;
                frames.add(Frames.frame(last, first ? 0x2 : 0x0, part, first ? 0b100 : 0));
            }
            Limits limits = Limits.DEFAULT.withMaxFragments(100_000);
            Endpoint client = Endpoint.withDeflate(Role.CLIENT, Feeding.WHOLE, limits, deflate(Role.CLIENT, TAKEOVER));
            assertThat(client.feed(Bytes.concat(frames.toArray(byte[][]::new))).events())
                    .singleElement().isInstanceOfSatisfying(Event.Failed.class,
                            f -> assertThat(f.status().code()).isEqualTo(1009));
        }
    }

    /**
     * A peer's smaller window: the compressor is fully flushed every 2^bits input bytes, and every back-reference in
     * what it writes stays inside the window, checked by decoding the stream with {@link DeflateChecker}.
     */
    @Nested
    @Timeout(60)
    class Windows {

        @ParameterizedTest
        @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14})
        void everyBackReferenceStaysInsideASmallerWindow(int bits) {
            for (boolean takeover : new boolean[] {true, false}) {
                DeflateNegotiation.Agreement agreement = new DeflateNegotiation.Agreement(!takeover, true, bits, 15);
                checkWindow(agreement, bits, 1 << bits);
            }
        }

        /** The check is not vacuous: with the full window, references do reach past 2^14 bytes. */
        @Test
        void withTheFullWindowReferencesReachFarther() {
            int farthest = checkWindow(TAKEOVER, 15, 1 << 15);
            assertThat(farthest).isGreaterThan(1 << 14);
        }

        private int checkWindow(DeflateNegotiation.Agreement agreement, int bits, int window) {
            Random random = new Random(bits);
            PerMessageDeflate d = new PerMessageDeflate(Role.SERVER, agreement, 0, 9, Zlib.UNPOOLED);
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            int farthest = 0;
            for (int m = 0; m < 12; m++) {
                byte[] message = compressible(random, 1 + random.nextInt(40_000));
                PerMessageDeflate.Compressed c = d.compress(message, 0, message.length, 0);
                stream.write(c.array(), 0, c.end());
                stream.writeBytes(PerMessageDeflate.TAIL);
                sent.writeBytes(message);
                if (agreement.serverNoContextTakeover()) {
                    // Each message is its own stream: decode it alone.
                    DeflateChecker.Result r = DeflateChecker.decode(stream.toByteArray());
                    assertThat(r.output()).isEqualTo(message);
                    assertThat(r.farthestReference()).as("window %d", window).isLessThanOrEqualTo(window);
                    farthest = Math.max(farthest, r.farthestReference());
                    stream.reset();
                    sent.reset();
                }
            }
            if (!agreement.serverNoContextTakeover()) {
                DeflateChecker.Result r = DeflateChecker.decode(stream.toByteArray());
                assertThat(r.output()).isEqualTo(sent.toByteArray());
                assertThat(r.farthestReference()).as("window %d", window).isLessThanOrEqualTo(window);
                farthest = r.farthestReference();
            }
            d.release();
            return farthest;
        }
    }

    /** Text with repeats near and far, so that a compressor has references of every distance to choose from. */
    static byte[] compressible(Random random, int length) {
        String[] words = {"websocket", "deflate", "window", "frame", "duplex", "racket", "message", "context"};
        StringBuilder sb = new StringBuilder(length + 16);
        while (sb.length() < length) {
            if (sb.length() > 1000 && random.nextInt(4) == 0) {
                int from = random.nextInt(sb.length() - 200);
                sb.append(sb, from, from + 20 + random.nextInt(150));
            } else {
                sb.append(words[random.nextInt(words.length)]).append(random.nextInt(100)).append(' ');
            }
        }
        return sb.substring(0, length).getBytes(StandardCharsets.UTF_8);
    }

    /** A message compressed by the JDK alone, tail stripped: an independent sender. */
    static byte[] compress(byte[] data) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(data);
        byte[] out = new byte[data.length / 100 + 1024];
        int n = 0;
        while (true) {
            n += d.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
            if (n < out.length) {
                break;
            }
            out = Arrays.copyOf(out, out.length * 2);
        }
        d.end();
        return Arrays.copyOf(out, n - 4);
    }
}
