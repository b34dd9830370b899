package dev.duplex.bench.load;

import java.nio.ByteBuffer;

/**
 * Reads the frames a server sends, whatever way the bytes are split (RFC 6455 §5.2). Data payloads are handed over
 * as they arrive, so a message of any size is checked without being buffered; control payloads (at most 125 bytes)
 * are gathered whole. Anything a server must not send fails the run.
 */
final class FrameReader {

    /** What the reader found. */
    interface Listener {
        /** A run of payload bytes of the current data message, in order. */
        void data(byte[] array, int offset, int length);

        /** The current data message is complete; {@code opcode} is TEXT or BINARY. */
        void endOfMessage(int opcode);

        /** A whole control frame. */
        void control(int opcode, byte[] payload, int length);
    }

    private boolean inPayload;
    private int opcode;
    private boolean fin;
    private long remaining;
    private int messageOpcode = -1;
    private final byte[] control = new byte[125];
    private int controlLength;

    /** Consumes what it can of {@code in} (in read mode); a partial header is left in place. */
    void read(ByteBuffer in, Listener listener) {
        while (true) {
            if (!inPayload && !header(in)) {
                return;
            }
            int n = (int) Math.min(remaining, in.remaining());
            if (n == 0 && remaining > 0) {
                return;
            }
            int at = in.arrayOffset() + in.position();
            if (opcode >= ClientFrames.CLOSE) {
                System.arraycopy(in.array(), at, control, controlLength, n);
                controlLength += n;
            } else if (n > 0) {
                listener.data(in.array(), at, n);
            }
            in.position(in.position() + n);
            remaining -= n;
            if (remaining == 0) {
                inPayload = false;
                if (opcode >= ClientFrames.CLOSE) {
                    listener.control(opcode, control, controlLength);
                } else if (fin) {
                    int done = messageOpcode;
                    messageOpcode = -1;
                    listener.endOfMessage(done);
                }
            }
        }
    }

    private boolean header(ByteBuffer in) {
        if (in.remaining() < 2) {
            return false;
        }
        int p = in.position();
        int b0 = in.get(p) & 0xff;
        int b1 = in.get(p + 1) & 0xff;
        if ((b1 & 0x80) != 0) {
            // RFC 6455 §5.1: "A server MUST NOT mask any frames that it sends to the client."
            throw new Failure("the server sent a masked frame");
        }
        if ((b0 & 0x70) != 0) {
            throw new Failure("the server set RSV bits without an extension (first byte 0x" + Integer.toHexString(b0) + ")");
        }
        int len7 = b1 & 0x7f;
        int headerLength = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
        if (in.remaining() < headerLength) {
            return false;
        }
        long len = len7 == 126 ? in.getShort(p + 2) & 0xffff : len7 == 127 ? in.getLong(p + 2) : len7;
        fin = (b0 & 0x80) != 0;
        opcode = b0 & 0x0f;
        switch (opcode) {
            case ClientFrames.CONTINUATION -> {
                if (messageOpcode < 0) {
                    throw new Failure("the server sent a continuation frame outside a message");
                }
            }
            case ClientFrames.TEXT, ClientFrames.BINARY -> {
                if (messageOpcode >= 0) {
                    throw new Failure("the server started a message inside another");
                }
                messageOpcode = opcode;
            }
            case ClientFrames.CLOSE, ClientFrames.PING, ClientFrames.PONG -> {
                if (!fin || len > 125) {
                    throw new Failure("the server sent a fragmented or oversized control frame");
                }
                controlLength = 0;
            }
            default -> throw new Failure("the server sent reserved opcode " + opcode);
        }
        if (len < 0) {
            throw new Failure("the server sent a frame length with the top bit set");
        }
        remaining = len;
        inPayload = true;
        in.position(p + headerLength);
        return true;
    }
}
