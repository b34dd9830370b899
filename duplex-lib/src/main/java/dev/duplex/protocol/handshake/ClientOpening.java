package dev.duplex.protocol.handshake;

import dev.duplex.HandshakeException;
import dev.duplex.Limits;
import dev.duplex.protocol.Protocol;
import dev.duplex.protocol.deflate.Zlib;

import java.util.random.RandomGenerator;

/**
 * The client's opening handshake, of whichever kind: the request to write, and the checks on the response. The
 * client writes {@link #request()}, reads the response head, {@link #verify verifies} it, then reads and checks
 * {@link #responseBodyLength()} more bytes.
 */
public interface ClientOpening {

    /** The request bytes, including any body the handshake needs. */
    byte[] request();

    /**
     * Checks the server's response head.
     *
     * @throws HandshakeException the server refused, or the response does not complete the handshake
     */
    void verify(HttpParser.Head response) throws HandshakeException;

    /** Bytes after a verified response head that belong to the handshake: hixie-76's 16-byte answer, or none. */
    int responseBodyLength();

    /**
     * Checks the {@link #responseBodyLength()} bytes that followed the head.
     *
     * @throws HandshakeException they are not what the handshake expects
     */
    void verifyBody(byte[] body) throws HandshakeException;

    /** The protocol that runs the connection after the handshake, its zlib streams (if any) from {@code zlib}. */
    Protocol protocol(Limits limits, RandomGenerator maskKeys, Zlib zlib);
}
