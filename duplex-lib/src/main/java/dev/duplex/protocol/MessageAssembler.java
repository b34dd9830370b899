package dev.duplex.protocol;

import dev.duplex.CloseStatus;
import dev.duplex.Message;
import dev.duplex.protocol.deflate.PerMessageDeflate;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;

/**
 * Joins the data frames of one message: enforces the message-size and fragment-count limits before bytes are
 * buffered, validates text as UTF-8 as it arrives, across fragment boundaries, and inflates compressed messages
 * (RFC 7692) as their frames arrive, counting the inflated bytes against the size limit as they are produced.
 *
 * <p>The buffer grows with the bytes that actually arrive, not with the length a frame declares, so a peer cannot
 * make the connection allocate memory it never sends.
 */
final class MessageAssembler {

    private static final byte[] EMPTY = new byte[0];
    private static final int FIRST_ALLOCATION = 16 * 1024;
    private static final int KEPT_BUFFER = 16 * 1024;

    private final int maxMessageSize;
    private final int maxFragments;
    private final PerMessageDeflate deflate;
    private final Utf8Validator utf8 = new Utf8Validator();

    private byte[] buffer = EMPTY;
    private byte[] compressedChunk = EMPTY;
    private int size;
    private boolean active;
    private boolean text;
    private boolean compressed;
    private int fragments;
    private long frameRemaining;
    private CloseStatus failure;

    /** @param deflate the connection's permessage-deflate, or null when none was negotiated */
    MessageAssembler(int maxMessageSize, int maxFragments, PerMessageDeflate deflate) {
        this.maxMessageSize = maxMessageSize;
        this.maxFragments = maxFragments;
        this.deflate = deflate;
    }

    /** Whether a message has started and not finished: the next data frame must be a continuation. */
    boolean isActive() {
        return active;
    }

    /** Why the last call returned false: the close status, its reason saying what went wrong. */
    CloseStatus failure() {
        return failure;
    }

    private boolean fail(CloseStatus status, String reason) {
        failure = status.withReason(reason);
        return false;
    }

    /**
     * Starts a data frame of {@code length} bytes: the first of a message when {@code text} is non-null, which is
     * compressed when {@code compressed}.
     *
     * @return false when the frame exceeds a limit (1009)
     */
    boolean startFrame(Boolean text, boolean compressed, long length) {
        if (text != null) {
            active = true;
            this.text = text;
            this.compressed = compressed;
            size = 0;
            fragments = 0;
            utf8.reset();
            if (compressed) {
                deflate.startMessage();
            }
        }
        if (++fragments > maxFragments) {
            return fail(CloseStatus.MESSAGE_TOO_BIG, "message split into more than " + maxFragments + " frames");
        }
        // A compressed frame's length says nothing of the message's size: that is counted as it inflates.
        if (!this.compressed && length > maxMessageSize - size) {
            return fail(CloseStatus.MESSAGE_TOO_BIG, "message of more than " + maxMessageSize + " bytes");
        }
        frameRemaining = length;
        return true;
    }

    /**
     * Appends as much of the current frame's payload as {@code in} holds.
     *
     * @return false when text is not valid UTF-8 (1007), compressed data is invalid (1007), or the message inflates
     *         past the size limit (1009)
     */
    boolean append(FrameReader reader, ByteBuffer in) {
        if (compressed) {
            return appendCompressed(reader, in);
        }
        int n = (int) Math.min(reader.remaining(), in.remaining());
        ensureCapacity(size + n);
        reader.readPayload(in, buffer, size);
        frameRemaining -= n;
        boolean valid = !text || utf8.feed(buffer, size, n);
        size += n;
        return valid || fail(CloseStatus.INVALID_FRAME_PAYLOAD_DATA, "invalid UTF-8 in a text message");
    }

    private void ensureCapacity(int needed) {
        if (needed <= buffer.length) {
            return;
        }
        // Grow with what arrives, up to what this frame declared; a whole small message gets an exact array.
        long declared = size + frameRemaining;
        long target = Math.max(needed, Math.min(declared, Math.max(FIRST_ALLOCATION, 2L * buffer.length)));
        buffer = Arrays.copyOf(buffer, (int) Math.min(target, maxMessageSize));
    }

    private boolean appendCompressed(FrameReader reader, ByteBuffer in) {
        if (compressedChunk.length == 0) {
            compressedChunk = new byte[8192];
        }
        while (reader.remaining() > 0 && in.hasRemaining()) {
            int n = (int) Math.min(Math.min(reader.remaining(), in.remaining()), compressedChunk.length);
            ByteBuffer part = in.slice(in.position(), n);
            reader.readPayload(part, compressedChunk, 0);
            in.position(in.position() + n);
            deflate.setInput(compressedChunk, 0, n);
            if (!inflate()) {
                return false;
            }
        }
        return true;
    }

    /** Inflates what the decompressor has been given, the size limit checked as the bytes come out. */
    private boolean inflate() {
        try {
            while (true) {
                if (size == buffer.length) {
                    // One byte past the limit is room enough to find out that the message is too big.
                    int grown = (int) Math.min(maxMessageSize + 1L, Math.max(4096L, 2L * buffer.length));
                    buffer = Arrays.copyOf(buffer, grown);
                }
                int n = deflate.inflate(buffer, size, buffer.length - size);
                if (text && !utf8.feed(buffer, size, n)) {
                    return fail(CloseStatus.INVALID_FRAME_PAYLOAD_DATA, "invalid UTF-8 in a text message");
                }
                size += n;
                if (size > maxMessageSize) {
                    return fail(CloseStatus.MESSAGE_TOO_BIG, "message inflates to more than " + maxMessageSize
                            + " bytes");
                }
                if (n == 0 && deflate.needsInput()) {
                    return true;
                }
            }
        } catch (DataFormatException e) {
            return fail(CloseStatus.INVALID_FRAME_PAYLOAD_DATA, "invalid compressed data: " + e.getMessage());
        }
    }

    /**
     * Ends the message after its final frame.
     *
     * @return the message, or null on failure: text ending inside a UTF-8 sequence (1007), or the last compressed
     *         bytes inflating past the limit or failing to inflate
     */
    Message finish() {
        active = false;
        if (compressed) {
            deflate.setTail();
            boolean inflated = inflate();
            deflate.endMessage();
            if (!inflated) {
                return null;
            }
        }
        if (text) {
            if (!utf8.isComplete()) {
                fail(CloseStatus.INVALID_FRAME_PAYLOAD_DATA, "text message ends inside a UTF-8 sequence");
                return null;
            }
            String s = size == 0 ? "" : new String(buffer, 0, size, StandardCharsets.UTF_8);
            if (buffer.length > KEPT_BUFFER) {
                buffer = EMPTY;
            }
            return Message.text(s);
        }
        ByteBuffer data = ByteBuffer.wrap(buffer, 0, size);
        buffer = EMPTY; // the application owns the array now
        return Message.binary(data.slice());
    }
}
