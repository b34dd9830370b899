package dev.duplex;

import java.time.Duration;
import java.util.Objects;

/**
 * Every size and time limit of a connection, in one place, each with a safe default.
 *
 * <p>A peer that exceeds a size limit is answered the way the protocol says: HTTP 414 or 431 during the opening
 * handshake, close code 1009 (Message Too Big) afterwards, always before the excess bytes are buffered. Conformance
 * suites and benchmarks may raise the limits; the defaults stay safe for a server on the open internet.
 *
 * @param maxMessageSize      largest message, in bytes after reassembly (default 1 MiB, as Python websockets)
 * @param maxFrameSize        largest single frame payload, in bytes (default 1 MiB); a compressed frame may be up
 *                            to an eighth larger, as deflate grows incompressible data a little
 * @param maxFragments        most frames one message may be split into (default 4096): a peer sending endless
 *                            tiny continuation frames is cut off with 1009
 * @param maxHeaderLineLength longest handshake start-line or header line, in bytes (default 8 KiB)
 * @param maxHeaderCount      most header fields in a handshake (default 128)
 * @param maxHeaderBytes      largest handshake head in total, in bytes (default 64 KiB)
 * @param handshakeTimeout    time allowed for the whole opening handshake (default 10 s)
 * @param closeTimeout        time allowed for the closing handshake before the TCP connection is dropped
 *                            (default 10 s)
 * @param inboxDepth          messages received but not yet taken by {@link WebSocket#receive()} before the
 *                            connection stops reading and TCP pushes back on the peer (default 16)
 * @param sendTimeout         time one write may block on a peer that reads nothing before the connection is
 *                            dropped and the send fails (default 30 s)
 */
public record Limits(
        int maxMessageSize,
        int maxFrameSize,
        int maxFragments,
        int maxHeaderLineLength,
        int maxHeaderCount,
        int maxHeaderBytes,
        Duration handshakeTimeout,
        Duration closeTimeout,
        int inboxDepth,
        Duration sendTimeout) {

    /** The safe defaults listed above. */
    public static final Limits DEFAULT = new Limits(
            1 << 20, 1 << 20, 4096, 8192, 128, 64 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(10), 16,
            Duration.ofSeconds(30));

    public Limits {
        positive("maxMessageSize", maxMessageSize);
        positive("maxFrameSize", maxFrameSize);
        positive("maxFragments", maxFragments);
        positive("maxHeaderLineLength", maxHeaderLineLength);
        positive("maxHeaderCount", maxHeaderCount);
        positive("maxHeaderBytes", maxHeaderBytes);
        positive("handshakeTimeout", handshakeTimeout);
        positive("closeTimeout", closeTimeout);
        positive("inboxDepth", inboxDepth);
        positive("sendTimeout", sendTimeout);
    }

    public Limits withMaxMessageSize(int bytes) {
        return new Limits(bytes, maxFrameSize, maxFragments, maxHeaderLineLength, maxHeaderCount, maxHeaderBytes,
                handshakeTimeout, closeTimeout, inboxDepth, sendTimeout);
    }

    public Limits withMaxFrameSize(int bytes) {
        return new Limits(maxMessageSize, bytes, maxFragments, maxHeaderLineLength, maxHeaderCount, maxHeaderBytes,
                handshakeTimeout, closeTimeout, inboxDepth, sendTimeout);
    }

    public Limits withMaxFragments(int count) {
        return new Limits(maxMessageSize, maxFrameSize, count, maxHeaderLineLength, maxHeaderCount, maxHeaderBytes,
                handshakeTimeout, closeTimeout, inboxDepth, sendTimeout);
    }

    public Limits withMaxHeaderLineLength(int bytes) {
        return new Limits(maxMessageSize, maxFrameSize, maxFragments, bytes, maxHeaderCount, maxHeaderBytes,
                handshakeTimeout, closeTimeout, inboxDepth, sendTimeout);
    }

    public Limits withMaxHeaderCount(int count) {
        return new Limits(maxMessageSize, maxFrameSize, maxFragments, maxHeaderLineLength, count, maxHeaderBytes,
                handshakeTimeout, closeTimeout, inboxDepth, sendTimeout);
    }

    public Limits withMaxHeaderBytes(int bytes) {
        return new Limits(maxMessageSize, maxFrameSize, maxFragments, maxHeaderLineLength, maxHeaderCount, bytes,
                handshakeTimeout, closeTimeout, inboxDepth, sendTimeout);
    }

    public Limits withHandshakeTimeout(Duration timeout) {
        return new Limits(maxMessageSize, maxFrameSize, maxFragments, maxHeaderLineLength, maxHeaderCount,
                maxHeaderBytes, timeout, closeTimeout, inboxDepth, sendTimeout);
    }

    public Limits withCloseTimeout(Duration timeout) {
        return new Limits(maxMessageSize, maxFrameSize, maxFragments, maxHeaderLineLength, maxHeaderCount,
                maxHeaderBytes, handshakeTimeout, timeout, inboxDepth, sendTimeout);
    }

    public Limits withInboxDepth(int messages) {
        return new Limits(maxMessageSize, maxFrameSize, maxFragments, maxHeaderLineLength, maxHeaderCount,
                maxHeaderBytes, handshakeTimeout, closeTimeout, messages, sendTimeout);
    }

    public Limits withSendTimeout(Duration timeout) {
        return new Limits(maxMessageSize, maxFrameSize, maxFragments, maxHeaderLineLength, maxHeaderCount,
                maxHeaderBytes, handshakeTimeout, closeTimeout, inboxDepth, timeout);
    }

    static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
    }

    static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
    }
}
