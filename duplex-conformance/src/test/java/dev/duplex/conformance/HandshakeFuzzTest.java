package dev.duplex.conformance;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.Compression;
import dev.duplex.Framing;
import dev.duplex.HandshakeException;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.protocol.handshake.ClientHandshake;
import dev.duplex.protocol.handshake.HttpException;
import dev.duplex.protocol.handshake.HttpParser;
import dev.duplex.protocol.handshake.ServerHandshake;
import dev.duplex.protocol.legacy.Hixie76Handshake;
import dev.duplex.protocol.deflate.DeflateNegotiation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Fuzzes the opening handshake's parsing: {@code HttpParser} on a head fed whole and in pieces (the same head or
 * the same refusal either way), then everything that reads a parsed head: the server's RFC 6455 and hixie-76
 * checks, its permessage-deflate choice, and the client's check of a response (with the right
 * {@code Sec-WebSocket-Accept}, so that fuzzed extension answers get as far as {@code DeflateNegotiation.verify}).
 * The only allowed complaints are {@link HttpException} (400, 405, 414, 426, 431), {@link HandshakeException} and,
 * from the negotiation checks, {@link IllegalArgumentException}.
 */
class HandshakeFuzzTest {

    private static final Limits LIMITS = Limits.DEFAULT.withMaxHeaderLineLength(512).withMaxHeaderCount(16)
            .withMaxHeaderBytes(4096);
    private static final byte[] NONCE = new byte[16];

    @FuzzTest(maxDuration = "40s")
    void headsParseTheSameWholeAndInPiecesAndNothingButRefusalsEscape(FuzzedDataProvider data) {
        boolean skeleton = data.consumeBoolean();
        byte[] bytes;
        ClientHandshake client = new ClientHandshake("127.0.0.1", "/", Headers.EMPTY, NONCE, Compression.DEFAULT);
        if (skeleton) {
            // A valid response or request around fuzzed extension, protocol and key fields.
            String head = (data.consumeBoolean() ? "HTTP/1.1 101 Switching Protocols\r\n" : "GET / HTTP/1.1\r\nHost: h\r\n")
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + ServerHandshake.acceptKey(client.key()) + "\r\n"
                    + "Sec-WebSocket-Key: " + client.key() + "\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Extensions: " + data.consumeString(200) + "\r\n"
                    + data.consumeString(100) + ": " + data.consumeString(100) + "\r\n\r\n";
            bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        } else {
            bytes = data.consumeRemainingAsBytes();
        }
        Object whole = parse(bytes, 0);
        Object split = parse(bytes, Feed.seed(bytes));
        if (!whole.equals(split)) {
            throw new AssertionError("fed whole: " + whole + "\nfed in pieces: " + split);
        }
        if (whole instanceof HttpParser.Head head) {
            use(head, client);
        }
    }

    /** The head, or the refusal's status, or "incomplete"; in one piece when {@code seed} is 0. */
    private static Object parse(byte[] bytes, long seed) {
        HttpParser parser = new HttpParser(LIMITS);
        SplittableRandom random = new SplittableRandom(seed);
        int i = 0;
        try {
            while (i < bytes.length) {
                int n = seed == 0 ? bytes.length : Math.min(bytes.length - i, 1 + random.nextInt(13));
                ByteBuffer piece = ByteBuffer.wrap(bytes, i, n);
                HttpParser.Head head = parser.parse(piece);
                i += n - piece.remaining();
                if (head != null) {
                    return head;
                }
            }
            return "incomplete";
        } catch (HttpException e) {
            return "refused " + e.status();
        }
    }

    private static void use(HttpParser.Head head, ClientHandshake client) {
        try {
            ServerHandshake.validate(head);
        } catch (HttpException e) {
            // a refusal with a status is the right answer to a bad request
        }
        try {
            if (Hixie76Handshake.isHixie76(head.headers())) {
                Hixie76Handshake.validate(head, Framing.OLD);
            }
        } catch (HttpException e) {
            // likewise
        }
        DeflateNegotiation.accept(head.headers().all("Sec-WebSocket-Extensions"), Compression.LOW_MEMORY);
        DeflateNegotiation.accept(head.headers().all("Sec-WebSocket-Extensions"),
                Compression.DEFAULT.withMaxWindowBits(9, 10));
        try {
            client.verify(head);
        } catch (HandshakeException e) {
            // the client refuses a bad response
        }
        try {
            DeflateNegotiation.verify(head.headers().all("Sec-WebSocket-Extensions"), Compression.DEFAULT);
        } catch (IllegalArgumentException e) {
            // the client fails the connection
        }
    }
}
