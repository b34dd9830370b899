package dev.duplex.conformance;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.Rfc6455Protocol;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.deflate.DeflateNegotiation;
import dev.duplex.protocol.deflate.PerMessageDeflate;
import dev.duplex.protocol.deflate.Zlib;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fuzzes permessage-deflate's inflating side ({@code PerMessageDeflate} in {@code Rfc6455Protocol}'s message
 * assembler) with messages that are either arbitrary bytes marked compressed (RSV1), or real compressed messages
 * made by the library's own compressor from the input, under any agreement: context takeover or not, windows of 8
 * to 15 bits. Must hold: no exception escapes, a bad stream fails with 1007 and an oversized one with 1009, a real
 * message inflates to exactly what was compressed, and the compressor never reaches further back than the window
 * it agreed to.
 */
class InflaterFuzzTest {

    private static final Limits LIMITS = Limits.DEFAULT.withMaxMessageSize(1 << 16).withMaxFrameSize(1 << 16);

    @FuzzTest(maxDuration = "40s")
    void compressedMessagesInflateToWhatWasSentOrFailCleanly(FuzzedDataProvider data) {
        boolean serverTakeover = data.consumeBoolean();
        boolean clientTakeover = data.consumeBoolean();
        int serverBits = data.consumeInt(8, 15);
        DeflateNegotiation.Agreement agreement = new DeflateNegotiation.Agreement(!serverTakeover, !clientTakeover,
                serverBits, 15);
        PerMessageDeflate sender = new PerMessageDeflate(Role.SERVER, agreement, 0, data.consumeInt(-1, 9),
                Zlib.UNPOOLED);
        Rfc6455Protocol client = new Rfc6455Protocol(Role.CLIENT, LIMITS, new SplittableRandom(1),
                new PerMessageDeflate(Role.CLIENT, agreement, 0, -1, Zlib.UNPOOLED));
        List<byte[]> sent = new ArrayList<>();
        boolean garbage = false;
        try {
            while (data.remainingBytes() > 0) {
                boolean real = data.consumeBoolean();
                int fragments = data.consumeInt(1, 4);
                byte[] payload;
                if (real) {
                    byte[] message = data.consumeBytes(data.consumeInt(0, 4096));
                    PerMessageDeflate.Compressed c = sender.compress(message, 0, message.length, 0);
                    payload = Arrays.copyOf(c.array(), c.end());
                    checkWindow(payload, serverBits);
                    sent.add(message);
                } else {
                    payload = data.consumeBytes(data.consumeInt(0, 512));
                    garbage = true;
                }
                client.receive(ByteBuffer.wrap(frames(payload, fragments)));
                if (!check(client, sent, garbage)) {
                    return;
                }
            }
        } finally {
            sender.release();
            client.release();
        }
    }

    /** Binary frames carrying the compressed payload, RSV1 on the first, split into {@code n} fragments. */
    private static byte[] frames(byte[] payload, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int step = Math.max(1, (payload.length + n - 1) / n);
        int i = 0;
        do {
            int end = Math.min(payload.length, i + step);
            boolean first = i == 0;
            out.writeBytes(new Frame(end == payload.length, first ? 0b100 : 0, first ? Frame.BINARY : Frame.CONTINUATION,
                    Arrays.copyOfRange(payload, i, end)).encode(null));
            i = end;
        } while (i < payload.length);
        return out.toByteArray();
    }

    /** Checks the events so far; returns false once the connection has failed (nothing more is read). */
    private static boolean check(Rfc6455Protocol client, List<byte[]> sent, boolean garbage) {
        for (Event e; (e = client.nextEvent()) != null; ) {
            switch (e) {
                case Event.Received r -> {
                    byte[] got = ((Message.Binary) r.message()).bytes();
                    if (!garbage) {
                        byte[] want = sent.removeFirst();
                        if (!Arrays.equals(want, got)) {
                            throw new AssertionError("a compressed message of " + want.length
                                    + " bytes inflated to " + got.length + " different bytes");
                        }
                    }
                    if (got.length > LIMITS.maxMessageSize()) {
                        throw new AssertionError("inflated past the limit: " + got.length);
                    }
                }
                case Event.Failed f -> {
                    int code = f.status().code();
                    if (!garbage || (code != 1007 && code != 1009 && code != 1002)) {
                        throw new AssertionError((garbage ? "" : "valid compressed messages: ") + "failed with "
                                + f.status() + ": " + f.reason());
                    }
                    return false;
                }
                default -> throw new AssertionError("unexpected event " + e);
            }
        }
        return true;
    }

    /** RFC 7692 §7.1.2.1: the compressor's LZ77 window must not exceed the agreed {@code server_max_window_bits}. */
    private static void checkWindow(byte[] payload, int bits) {
        byte[] stream = Arrays.copyOf(payload, payload.length + 4);
        stream[stream.length - 2] = (byte) 0xFF;
        stream[stream.length - 1] = (byte) 0xFF;
        int farthest = Distances.farthest(stream);
        if (farthest > 1 << bits) {
            throw new AssertionError("a back-reference of " + farthest + " bytes with a window of " + (1 << bits));
        }
    }
}
