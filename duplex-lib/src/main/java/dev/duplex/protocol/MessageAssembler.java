package dev.duplex.protocol;

import dev.duplex.Message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Joins the data frames of one message: enforces the message-size and fragment-count limits before bytes are
 * buffered, and validates text as UTF-8 as it arrives, across fragment boundaries.
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
    private final Utf8Validator utf8 = new Utf8Validator();

    private byte[] buffer = EMPTY;
    private int size;
    private boolean active;
    private boolean text;
    private int fragments;
    private long frameRemaining;

    MessageAssembler(int maxMessageSize, int maxFragments) {
        this.maxMessageSize = maxMessageSize;
        this.maxFragments = maxFragments;
    }

    /** Whether a message has started and not finished: the next data frame must be a continuation. */
    boolean isActive() {
        return active;
    }

    /**
     * Starts a data frame of {@code length} bytes: the first of a message when {@code text} is non-null.
     *
     * @return null, or why the frame exceeds a limit (the connection fails with 1009)
     */
    String startFrame(Boolean text, long length) {
        if (text != null) {
            active = true;
            this.text = text;
            size = 0;
            fragments = 0;
            utf8.reset();
        }
        if (++fragments > maxFragments) {
            return "message split into more than " + maxFragments + " frames";
        }
        if (length > maxMessageSize - size) {
            return "message of more than " + maxMessageSize + " bytes";
        }
        frameRemaining = length;
        return null;
    }

    /**
     * Appends as much of the current frame's payload as {@code in} holds.
     *
     * @return false when text turned out not to be valid UTF-8
     */
    boolean append(FrameReader reader, ByteBuffer in) {
        int n = (int) Math.min(reader.remaining(), in.remaining());
        ensureCapacity(size + n);
        reader.readPayload(in, buffer, size);
        frameRemaining -= n;
        boolean valid = !text || utf8.feed(buffer, size, n);
        size += n;
        return valid;
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

    /**
     * Ends the message after its final frame.
     *
     * @return the message, or null when text ended inside a UTF-8 sequence
     */
    Message finish() {
        active = false;
        if (text) {
            if (!utf8.isComplete()) {
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
