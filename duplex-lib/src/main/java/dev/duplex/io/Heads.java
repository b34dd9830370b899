package dev.duplex.io;

import dev.duplex.protocol.handshake.HttpException;
import dev.duplex.protocol.handshake.HttpParser;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** Reads an HTTP head from a socket within a deadline, keeping the bytes that follow it. */
final class Heads {

    private Heads() {
    }

    /**
     * Reads until {@code parser} has a whole head.
     *
     * @param buffer         a heap buffer in read mode; on return it holds the bytes after the head
     * @param deadline       when the head must be complete
     */
    static HttpParser.Head read(Socket socket, HttpParser parser, ByteBuffer buffer, Deadline deadline)
            throws IOException, HttpException {
        InputStream in = socket.getInputStream();
        while (true) {
            HttpParser.Head head = parser.parse(buffer);
            if (head != null) {
                return head;
            }
            if (deadline.isExpired()) {
                throw new SocketTimeoutException("opening handshake timed out");
            }
            socket.setSoTimeout(deadline.remainingMillis());
            int n = in.read(buffer.array(), 0, buffer.capacity());
            if (n < 0) {
                throw new EOFException("connection closed during the opening handshake");
            }
            buffer.clear().limit(n);
        }
    }

    /**
     * Takes {@code length} bytes that follow a head: from {@code buffer} first, then from the socket.
     *
     * @param buffer a heap buffer in read mode holding what was read after the head; on return, what follows
     */
    static byte[] readBody(Socket socket, ByteBuffer buffer, int length, Deadline deadline) throws IOException {
        byte[] body = new byte[length];
        int have = Math.min(length, buffer.remaining());
        buffer.get(body, 0, have);
        InputStream in = socket.getInputStream();
        while (have < length) {
            if (deadline.isExpired()) {
                throw new SocketTimeoutException("opening handshake timed out");
            }
            socket.setSoTimeout(deadline.remainingMillis());
            int n = in.read(body, have, length - have);
            if (n < 0) {
                throw new EOFException("connection closed during the opening handshake");
            }
            have += n;
        }
        return body;
    }

    /**
     * The bytes that followed the handshake, copied out of the handshake's buffer so that the connection does not
     * keep that buffer for its whole life (usually there are none).
     */
    static ByteBuffer leftover(ByteBuffer buffer) {
        if (!buffer.hasRemaining()) {
            return ByteBuffer.allocate(0);
        }
        byte[] copy = new byte[buffer.remaining()];
        buffer.get(copy);
        return ByteBuffer.wrap(copy);
    }
}
