package dev.duplex.protocol.handshake;

import dev.duplex.Compression;
import dev.duplex.Framing;
import dev.duplex.HandshakeRequest;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.protocol.Protocol;
import dev.duplex.protocol.Rfc6455Protocol;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.deflate.DeflateNegotiation;
import dev.duplex.protocol.deflate.PerMessageDeflate;
import dev.duplex.protocol.deflate.Zlib;
import dev.duplex.protocol.legacy.Hixie76Handshake;

import java.util.random.RandomGenerator;

/**
 * A validated opening-handshake request, of whichever kind, and how to answer it: the seam between the server's I/O
 * and the two handshakes (RFC 6455 and hixie-76). The server reads a head, asks {@link #of} for the opening, reads
 * {@link #bodyLength()} more bytes, lets the application's upgrader look at {@link #request()}, and writes
 * {@link #accept}.
 */
public interface ServerOpening {

    /** What the upgrader sees. */
    HandshakeRequest request();

    /** Bytes after the head that belong to the handshake: hixie-76's 8-byte key3, or none. */
    int bodyLength();

    /** The response that completes the handshake, with the upgrader's extra header fields. */
    byte[] accept(byte[] body, Headers extra);

    /** The protocol that runs the connection after the handshake, its zlib streams (if any) from {@code zlib}. */
    Protocol protocol(Limits limits, RandomGenerator maskKeys, Zlib zlib);

    /**
     * The opening a request asks for. A hixie-76 request (it has {@code Sec-WebSocket-Key1}/{@code Key2}) is served
     * only when the server's framing is {@link Framing#OLD} or {@link Framing#NEW}; every server serves RFC 6455.
     *
     * @throws HttpException the request is not a handshake this server accepts
     */
    static ServerOpening of(HttpParser.Head head, Framing framing, Compression compression) throws HttpException {
        if (Hixie76Handshake.isHixie76(head.headers())) {
            if (framing == Framing.RFC6455) {
                throw new HttpException(400, "hixie-76 handshake refused: this server speaks RFC 6455 only");
            }
            return Hixie76Handshake.validate(head, framing);
        }
        HandshakeRequest request = ServerHandshake.validate(head);
        DeflateNegotiation.Agreement deflate =
                DeflateNegotiation.accept(request.headers().all("Sec-WebSocket-Extensions"), compression);
        return new ServerOpening() {
            @Override
            public HandshakeRequest request() {
                return request;
            }

            @Override
            public int bodyLength() {
                return 0;
            }

            @Override
            public byte[] accept(byte[] body, Headers extra) {
                return ServerHandshake.accept(request, extra, deflate == null ? null : deflate.header());
            }

            @Override
            public Protocol protocol(Limits limits, RandomGenerator maskKeys, Zlib zlib) {
                return new Rfc6455Protocol(Role.SERVER, limits, maskKeys, deflate == null ? null
                        : new PerMessageDeflate(Role.SERVER, deflate, compression.threshold(), compression.level(), zlib));
            }
        };
    }
}
