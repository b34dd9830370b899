package dev.duplex.protocol;

import dev.duplex.CloseStatus;
import dev.duplex.Limits;
import dev.duplex.Message;

import dev.duplex.protocol.deflate.PerMessageDeflate;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The RFC 6455 state machine after the opening handshake: frames in, messages and control frames out, the rules of
 * §5 applied with the sentence that sets each one, and the closing handshake of §7.
 *
 * <p>A violation fails the connection (§7.1.7): the protocol stops reading, reports {@link Event.Failed} and holds a
 * Close frame with the matching code as pending (see {@link Protocol}).
 */
public final class Rfc6455Protocol extends ClosingProtocol {

    private final RandomGenerator maskKeys;
    private final int maxFrameSize;
    private final FrameReader reader = new FrameReader();
    private final MessageAssembler assembler;
    private final PerMessageDeflate deflate;
    private final byte[] control = new byte[125];
    private int controlSize;

    private boolean inFrame;
    private Opcode frameOpcode;

    /**
     * @param role     which end this is: a server expects masked frames and a client unmasked ones
     * @param limits   the frame, message and fragment limits
     * @param maskKeys where a client's masking keys come from (RFC 6455 §5.3 asks for a strong source of entropy)
     */
    public Rfc6455Protocol(Role role, Limits limits, RandomGenerator maskKeys) {
        this(role, limits, maskKeys, null);
    }

    /**
     * @param deflate the negotiated permessage-deflate, or null for none: then RSV1 is a protocol error
     */
    public Rfc6455Protocol(Role role, Limits limits, RandomGenerator maskKeys, PerMessageDeflate deflate) {
        super(role);
        this.maskKeys = Objects.requireNonNull(maskKeys, "maskKeys");
        this.maxFrameSize = limits.maxFrameSize();
        this.deflate = deflate;
        this.assembler = new MessageAssembler(limits.maxMessageSize(), limits.maxFragments(), deflate);
    }

    // ---------------------------------------------------------------- input

    @Override
    public void receive(ByteBuffer data) {
        while (!inputEnded()) {
            if (!inFrame) {
                if (!reader.readHeader(data) || !acceptHeader()) {
                    break;
                }
                inFrame = true;
            }
            if (reader.remaining() > 0) {
                if (!data.hasRemaining() || !readPayload(data) || reader.remaining() > 0) {
                    break;
                }
            }
            inFrame = false;
            endFrame();
        }
        // RFC 6455 §7.1.7: after failing, "the endpoint MUST NOT continue to attempt to process data".
        data.position(data.limit());
    }

    private boolean acceptHeader() {
        Opcode opcode = Opcode.of(reader.opcode());
        long length = reader.length();
        // §5.2: "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values."
        // RFC 7692 §6: permessage-deflate gives RSV1 a meaning on the first frame of a data message only.
        boolean compressed = reader.rsv() == 0b100 && deflate != null && opcode != null && !opcode.isControl()
                && opcode != Opcode.CONTINUATION;
        if (reader.rsv() != 0 && !compressed) {
            return fail(CloseStatus.PROTOCOL_ERROR, deflate != null && reader.rsv() == 0b100
                    ? "RSV1 set on a control or continuation frame" : "reserved bits set without a negotiated extension");
        }
        // §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
        if (opcode == null) {
            return fail(CloseStatus.PROTOCOL_ERROR, "reserved opcode 0x" + Integer.toHexString(reader.opcode()));
        }
        // §5.1: "a server MUST close the connection upon receiving a frame that is not masked" and "A client MUST
        // close a connection if it detects a masked frame."
        if (role == Role.SERVER && !reader.masked()) {
            return fail(CloseStatus.PROTOCOL_ERROR, "unmasked frame from a client");
        }
        if (role == Role.CLIENT && reader.masked()) {
            return fail(CloseStatus.PROTOCOL_ERROR, "masked frame from a server");
        }
        // §5.2: "the most significant bit MUST be 0".
        if (length < 0) {
            return fail(CloseStatus.PROTOCOL_ERROR, "frame length with the most significant bit set");
        }
        frameOpcode = opcode;
        if (opcode.isControl()) {
            // §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
            if (length > 125) {
                return fail(CloseStatus.PROTOCOL_ERROR, "control frame payload longer than 125 bytes");
            }
            if (!reader.fin()) {
                return fail(CloseStatus.PROTOCOL_ERROR, "fragmented control frame");
            }
            controlSize = 0;
            return true;
        }
        // §5.4: fragments are a first frame (TEXT or BINARY), then continuations; messages do not interleave.
        if (opcode == Opcode.CONTINUATION && !assembler.isActive()) {
            return fail(CloseStatus.PROTOCOL_ERROR, "continuation frame without a message to continue");
        }
        if (opcode != Opcode.CONTINUATION && assembler.isActive()) {
            return fail(CloseStatus.PROTOCOL_ERROR, "new message started before the previous one was finished");
        }
        // Deflate stores incompressible data with a few bytes per block (up to 4% with zlib's smallest blocks): a
        // message that fits the limits must not fail because its sender compressed it. The inflated size is bounded
        // by the message limit as it is produced, and compressed bytes are never buffered whole.
        long frameLimit = compressed ? maxFrameSize + maxFrameSize / 8 + 1024L : maxFrameSize;
        if (length > frameLimit) {
            return fail(CloseStatus.MESSAGE_TOO_BIG, "frame of " + length + " bytes, over the limit of " + frameLimit);
        }
        Boolean text = opcode == Opcode.CONTINUATION ? null : opcode == Opcode.TEXT;
        return assembler.startFrame(text, compressed, length) || fail(assembler.failure());
    }

    private boolean readPayload(ByteBuffer data) {
        if (frameOpcode.isControl()) {
            controlSize += reader.readPayload(data, control, controlSize);
            return true;
        }
        // §8.1: fail "when an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not,
        // in fact, a valid UTF-8 stream" - as soon as it finds it, not at the end of the frame.
        return assembler.append(reader, data) || fail(assembler.failure());
    }

    private void endFrame() {
        switch (frameOpcode) {
            case PING -> {
                ByteBuffer payload = controlPayload();
                events.add(new Event.Ping(payload));
                // §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response"
                if (state() == State.OPEN) {
                    queueFrame(Opcode.PONG, payload.array(), 0, payload.remaining());
                }
            }
            // §5.5.3: "A response to an unsolicited Pong frame is not expected."
            case PONG -> events.add(new Event.Pong(controlPayload()));
            case CLOSE -> closeFrameReceived();
            default -> {
                if (reader.fin()) {
                    Message message = assembler.finish();
                    if (message == null) {
                        fail(assembler.failure());
                    } else {
                        events.add(new Event.Received(message));
                    }
                }
            }
        }
    }

    private ByteBuffer controlPayload() {
        byte[] copy = new byte[controlSize];
        System.arraycopy(control, 0, copy, 0, controlSize);
        return ByteBuffer.wrap(copy);
    }

    private void closeFrameReceived() {
        CloseStatus status;
        if (controlSize == 0) {
            status = CloseStatus.NO_STATUS_RCVD;
        } else if (controlSize == 1) {
            // §5.5.1: a body "MUST start with a two-byte unsigned integer" - one byte cannot.
            fail(CloseStatus.PROTOCOL_ERROR, "close frame with a 1-byte payload");
            return;
        } else {
            int code = (control[0] & 0xFF) << 8 | (control[1] & 0xFF);
            if (!CloseStatus.isSendable(code)) {
                fail(CloseStatus.PROTOCOL_ERROR, "close frame with invalid code " + code);
                return;
            }
            if (!Utf8Validator.isValid(control, 2, controlSize - 2)) {
                fail(CloseStatus.INVALID_FRAME_PAYLOAD_DATA, "close reason is not valid UTF-8");
                return;
            }
            status = new CloseStatus(code, new String(control, 2, controlSize - 2, StandardCharsets.UTF_8));
        }
        // §5.5.1: "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint
        // MUST send a Close frame in response. (When sending a Close frame in response, the endpoint typically
        // echos the status code it received.)"
        closeFrameReceived(status, status.code() == CloseStatus.NO_STATUS_RCVD.code() ? CloseStatus.NO_STATUS_RCVD
                : new CloseStatus(status.code(), ""));
    }

    @Override
    protected Event.Failed endOfStreamFailure() {
        return new Event.Failed(CloseStatus.ABNORMAL_CLOSURE, state() == State.OPEN
                ? "connection closed without a close frame"
                : "connection closed before the peer answered the close frame");
    }

    // ---------------------------------------------------------------- output

    @Override
    public void send(Message message) {
        requireOpen();
        switch (message) {
            case Message.Text t -> {
                byte[] utf8 = t.text().getBytes(StandardCharsets.UTF_8);
                if (deflate != null && deflate.compresses(utf8.length)) {
                    queueCompressed(Opcode.TEXT, utf8, 0, utf8.length);
                } else {
                    queueFrame(Opcode.TEXT, utf8, 0, utf8.length);
                }
            }
            case Message.Binary b -> {
                if (deflate != null && deflate.compresses(b.data().remaining())) {
                    ByteBuffer data = b.data();
                    if (data.hasArray()) {
                        queueCompressed(Opcode.BINARY, data.array(), data.arrayOffset() + data.position(),
                                data.remaining());
                    } else {
                        byte[] copy = new byte[data.remaining()];
                        data.duplicate().get(copy);
                        queueCompressed(Opcode.BINARY, copy, 0, copy.length);
                    }
                } else {
                    queueBinary(b.data());
                }
            }
        }
    }

    private void queueBinary(ByteBuffer data) {
        ByteBuffer payload = data.duplicate();
        if (role == Role.SERVER && payload.remaining() > 64 * 1024) {
            // Large unmasked payloads go out as they are: a header, then the application's own buffer.
            byte[] header = new byte[FrameWriter.headerLength(payload.remaining(), false)];
            FrameWriter.writeHeader(header, 0, true, 0, Opcode.BINARY.code(), payload.remaining(), false, 0);
            output.add(ByteBuffer.wrap(header));
            output.add(payload);
            return;
        }
        if (payload.hasArray()) {
            queueFrame(Opcode.BINARY, payload.array(), payload.arrayOffset() + payload.position(), payload.remaining());
        } else {
            byte[] copy = new byte[payload.remaining()];
            payload.get(copy);
            queueFrame(Opcode.BINARY, copy, 0, copy.length);
        }
    }

    @Override
    public void ping(ByteBuffer payload) {
        requireOpen();
        if (payload.remaining() > 125) {
            throw new IllegalArgumentException("a ping payload is at most 125 bytes, not " + payload.remaining());
        }
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        queueFrame(Opcode.PING, bytes, 0, bytes.length);
    }

    @Override
    public void close(CloseStatus status) {
        if (state() == State.OPEN && !hasPendingClose() && !status.isSendable()) {
            throw new IllegalArgumentException("close code " + status.code()
                    + " may not be sent; use 1000-1003, 1007-1014 or 3000-4999");
        }
        super.close(status);
    }

    @Override
    protected void queueClose(CloseStatus status) {
        if (status.code() == CloseStatus.NO_STATUS_RCVD.code()) {
            queueFrame(Opcode.CLOSE, new byte[0], 0, 0);
            return;
        }
        byte[] reason = status.reason().getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (status.code() >>> 8);
        payload[1] = (byte) status.code();
        System.arraycopy(reason, 0, payload, 2, reason.length);
        queueFrame(Opcode.CLOSE, payload, 0, payload.length);
    }

    /** RFC 7692 §7.2.1: a compressed message in one frame with RSV1 set, its header written in front of it. */
    private void queueCompressed(Opcode opcode, byte[] payload, int off, int len) {
        boolean masked = role == Role.CLIENT;
        int headroom = FrameWriter.headerLength(Long.MAX_VALUE, true);
        PerMessageDeflate.Compressed c = deflate.compress(payload, off, len, headroom);
        int length = c.end() - headroom;
        if (length >= len && !deflate.keepsContext()) {
            // Incompressible, and without context takeover the peer's decompressor need not see it: send it as it is.
            queueFrame(opcode, payload, off, len);
            return;
        }
        if (length > len && length > 1024) {
            // Incompressible, and with context takeover the compressed form must go; in frames no longer than the
            // message, so that a peer whose frame limit admits the message admits its frames too.
            queueFragments(opcode, c.array(), headroom, length, len);
            return;
        }
        int headerLength = FrameWriter.headerLength(length, masked);
        int start = headroom - headerLength;
        int maskKey = masked ? maskKeys.nextInt() : 0;
        FrameWriter.writeHeader(c.array(), start, true, 0b100, opcode.code(), length, masked, maskKey);
        if (masked) {
            Masking.mask(c.array(), headroom, length, maskKey, 0);
        }
        output.add(ByteBuffer.wrap(c.array(), start, headerLength + length));
    }

    /** A compressed message in frames of at most {@code frameSize}: RSV1 on the first only (RFC 7692 §6.1). */
    private void queueFragments(Opcode opcode, byte[] payload, int off, int len, int frameSize) {
        boolean masked = role == Role.CLIENT;
        for (int at = 0; at < len; at += frameSize) {
            int n = Math.min(frameSize, len - at);
            boolean first = at == 0;
            boolean last = at + n == len;
            int maskKey = masked ? maskKeys.nextInt() : 0;
            int headerLength = FrameWriter.headerLength(n, masked);
            byte[] frame = new byte[headerLength + n];
            FrameWriter.writeHeader(frame, 0, last, first ? 0b100 : 0,
                    first ? opcode.code() : Opcode.CONTINUATION.code(), n, masked, maskKey);
            System.arraycopy(payload, off + at, frame, headerLength, n);
            if (masked) {
                Masking.mask(frame, headerLength, n, maskKey, 0);
            }
            output.add(ByteBuffer.wrap(frame));
        }
    }

    @Override
    public void release() {
        super.release();
        if (deflate != null) {
            deflate.release();
        }
    }

    /** One whole frame in one buffer, masked with a fresh key when this is a client (§5.3). */
    private void queueFrame(Opcode opcode, byte[] payload, int off, int len) {
        boolean masked = role == Role.CLIENT;
        int maskKey = masked ? maskKeys.nextInt() : 0;
        int headerLength = FrameWriter.headerLength(len, masked);
        byte[] frame = new byte[headerLength + len];
        FrameWriter.writeHeader(frame, 0, true, 0, opcode.code(), len, masked, maskKey);
        System.arraycopy(payload, off, frame, headerLength, len);
        if (masked) {
            Masking.mask(frame, headerLength, len, maskKey, 0);
        }
        output.add(ByteBuffer.wrap(frame));
    }
}
