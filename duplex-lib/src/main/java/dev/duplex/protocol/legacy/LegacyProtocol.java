package dev.duplex.protocol.legacy;

import dev.duplex.CloseStatus;
import dev.duplex.Framing;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.ClosingProtocol;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.Utf8Validator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The specification's two legacy framings after a hixie-76 handshake, byte for byte as Racket's
 * {@code net/websocket} wrote them (see {@code spec/legacy-websocket.md}):
 *
 * <pre>
 *            text "hello"                         close
 *   OLD      00 68 65 6c 6c 6f ff                 ff 00
 *   NEW      ff 00 00 00 00 00 00 00 05 68 ...    00 00 00 00 00 00 00 00 00
 * </pre>
 *
 * <p>Both carry text only, without masking, ping or close codes. Received text is validated as UTF-8 as it
 * arrives and bounded by {@link Limits#maxMessageSize()} before it is buffered, terminator or not. Other frame types,
 * which the specification's implementation misread, fail the connection.
 *
 * <p>Closing follows hixie-76 rather than Racket's shortcuts: a received close frame is answered with one (held as
 * pending, as in RFC 6455 mode, until the messages before it are delivered), and the server closes TCP first. The
 * end of the TCP stream between frames is a clean end, since the specification's server ends every connection that
 * way; inside a frame it is a failure.
 */
public final class LegacyProtocol extends ClosingProtocol {

    private static final byte[] OLD_CLOSE = {(byte) 0xFF, 0x00};
    private static final byte[] NEW_CLOSE = new byte[9];
    private static final byte[] EMPTY = new byte[0];

    private enum Reading { TYPE, CLOSE_SECOND_BYTE, OLD_TEXT, NEW_LENGTH, NEW_PAYLOAD }

    private final Framing framing;
    private final int maxMessageSize;
    private final Utf8Validator utf8 = new Utf8Validator();

    private Reading reading = Reading.TYPE;
    private boolean newClose;
    private int lengthBytes;
    private long length;
    private byte[] buffer = EMPTY;
    private int size;

    /**
     * @param framing {@link Framing#OLD} or {@link Framing#NEW}
     * @param role    which end this is: the server closes TCP first
     */
    public LegacyProtocol(Framing framing, Role role, Limits limits) {
        super(role);
        if (framing == Framing.RFC6455) {
            throw new IllegalArgumentException("LegacyProtocol speaks OLD or NEW, not RFC 6455");
        }
        this.framing = framing;
        this.maxMessageSize = limits.maxMessageSize();
    }

    // ---------------------------------------------------------------- input

    @Override
    public void receive(ByteBuffer data) {
        while (!inputEnded() && data.hasRemaining()) {
            switch (reading) {
                case TYPE -> frameType(data.get() & 0xFF);
                case CLOSE_SECOND_BYTE -> {
                    int b = data.get() & 0xFF;
                    if (b == 0x00) {
                        closeFrameReceived();
                    } else {
                        fail(CloseStatus.PROTOCOL_ERROR, "0xFF followed by 0x" + hex(b) + " instead of the close frame's 0x00");
                    }
                }
                case OLD_TEXT -> oldText(data);
                case NEW_LENGTH -> newLength(data);
                case NEW_PAYLOAD -> newPayload(data);
            }
        }
        data.position(data.limit());
    }

    private void frameType(int type) {
        if (framing == Framing.OLD) {
            switch (type) {
                case 0x00 -> startText(Reading.OLD_TEXT);
                case 0xFF -> reading = Reading.CLOSE_SECOND_BYTE;
                default -> fail(CloseStatus.PROTOCOL_ERROR, "unsupported frame type 0x" + hex(type)
                        + "; the OLD framing has 0x00 (text) and 0xFF 0x00 (close)");
            }
        } else {
            if (type != 0xFF && type != 0x00) {
                fail(CloseStatus.PROTOCOL_ERROR, "unsupported frame type 0x" + hex(type)
                        + "; the NEW framing has 0xFF (text) and 0x00 (close)");
                return;
            }
            newClose = type == 0x00;
            lengthBytes = 0;
            length = 0;
            reading = Reading.NEW_LENGTH;
        }
    }

    private void startText(Reading next) {
        size = 0;
        utf8.reset();
        reading = next;
    }

    private void oldText(ByteBuffer data) {
        int start = data.position();
        int end = data.limit();
        int terminator = -1;
        for (int i = start; i < end; i++) {
            if (data.get(i) == (byte) 0xFF) {
                terminator = i;
                break;
            }
        }
        int n = (terminator < 0 ? end : terminator) - start;
        if (!append(data, n)) {
            return;
        }
        if (terminator >= 0) {
            data.get(); // the 0xFF
            finishText();
        }
    }

    private void newLength(ByteBuffer data) {
        while (lengthBytes < 8 && data.hasRemaining()) {
            length = (length << 8) | (data.get() & 0xFF);
            lengthBytes++;
        }
        if (lengthBytes < 8) {
            return;
        }
        if (newClose) {
            if (length != 0) {
                fail(CloseStatus.PROTOCOL_ERROR, "close frame with a payload of " + Long.toUnsignedString(length)
                        + " bytes");
            } else {
                closeFrameReceived();
            }
            return;
        }
        // An unsigned 64-bit length: negative here means 2^63 or more.
        if (length < 0 || length > maxMessageSize) {
            fail(CloseStatus.MESSAGE_TOO_BIG, "message of " + Long.toUnsignedString(length)
                    + " bytes, over the limit of " + maxMessageSize);
            return;
        }
        startText(Reading.NEW_PAYLOAD);
        if (length == 0) {
            finishText();
        }
    }

    private void newPayload(ByteBuffer data) {
        int n = (int) Math.min(length - size, data.remaining());
        if (append(data, n) && size == length) {
            finishText();
        }
    }

    /** Appends n bytes of text from data; false when that fails the connection. */
    private boolean append(ByteBuffer data, int n) {
        if (n > maxMessageSize - size) {
            fail(CloseStatus.MESSAGE_TOO_BIG, "message of more than " + maxMessageSize + " bytes");
            return false;
        }
        if (size + n > buffer.length) {
            long grown = Math.max(size + n, Math.min(maxMessageSize, Math.max(1024L, 2L * buffer.length)));
            buffer = Arrays.copyOf(buffer, (int) grown);
        }
        data.get(buffer, size, n);
        boolean valid = utf8.feed(buffer, size, n);
        size += n;
        return valid || fail(CloseStatus.INVALID_FRAME_PAYLOAD_DATA, "invalid UTF-8 in a text message");
    }

    private void finishText() {
        reading = Reading.TYPE;
        if (!utf8.isComplete()) {
            fail(CloseStatus.INVALID_FRAME_PAYLOAD_DATA, "text message ends inside a UTF-8 sequence");
            return;
        }
        events.add(new Event.Received(Message.text(new String(buffer, 0, size, StandardCharsets.UTF_8))));
        if (buffer.length > 16 * 1024) {
            buffer = EMPTY;
        }
    }

    private void closeFrameReceived() {
        reading = Reading.TYPE;
        closeFrameReceived(CloseStatus.NO_STATUS_RCVD, CloseStatus.NO_STATUS_RCVD); // hixie-76: answered with one
    }

    @Override
    public void receiveEof() {
        if (reading == Reading.TYPE) {
            // Between frames: the specification's server ends every connection this way.
            cleanEndOfStream(CloseStatus.NO_STATUS_RCVD);
        } else {
            super.receiveEof();
        }
    }

    @Override
    protected Event.Failed endOfStreamFailure() {
        return new Event.Failed(CloseStatus.ABNORMAL_CLOSURE, reading == Reading.CLOSE_SECOND_BYTE
                ? "connection closed inside a close frame" : "connection closed inside a frame");
    }

    // ---------------------------------------------------------------- output

    @Override
    public void send(Message message) {
        requireOpen();
        if (!(message instanceof Message.Text text)) {
            throw new IllegalArgumentException("the " + framing + " framing carries text only; "
                    + "binary messages need RFC 6455");
        }
        byte[] utf8 = text.text().getBytes(StandardCharsets.UTF_8);
        byte[] frame;
        if (framing == Framing.OLD) {
            frame = new byte[utf8.length + 2];
            frame[0] = 0x00;
            System.arraycopy(utf8, 0, frame, 1, utf8.length);
            frame[frame.length - 1] = (byte) 0xFF;
        } else {
            frame = new byte[9 + utf8.length];
            frame[0] = (byte) 0xFF;
            for (int i = 0; i < 8; i++) {
                frame[1 + i] = (byte) ((long) utf8.length >>> (56 - 8 * i));
            }
            System.arraycopy(utf8, 0, frame, 9, utf8.length);
        }
        output.add(ByteBuffer.wrap(frame));
    }

    @Override
    public void ping(ByteBuffer payload) {
        throw new IllegalArgumentException("the " + framing + " framing has no ping; it needs RFC 6455");
    }

    @Override
    protected void queueClose(CloseStatus status) {
        // No codes in these framings: every close frame is the same bytes.
        output.add(ByteBuffer.wrap(framing == Framing.OLD ? OLD_CLOSE.clone() : NEW_CLOSE.clone()));
    }

    private static String hex(int b) {
        return Integer.toHexString(b | 0x100).substring(1);
    }
}
