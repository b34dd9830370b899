package dev.duplex;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A whole WebSocket message: {@link Text} or {@link Binary}.
 *
 * <p>Messages are what {@link WebSocket#receive()} returns and what {@link WebSocket#send(Message)} takes. Fragments
 * never reach the application: a fragmented message is delivered once it is complete and, for text, validated as
 * UTF-8.
 */
public sealed interface Message permits Message.Text, Message.Binary {

    /** A text message. */
    static Text text(String text) {
        return new Text(text);
    }

    /** A binary message holding {@code data}'s remaining bytes; the buffer is not copied. */
    static Binary binary(ByteBuffer data) {
        return new Binary(data);
    }

    /** A binary message holding {@code data}; the array is not copied. */
    static Binary binary(byte[] data) {
        return new Binary(ByteBuffer.wrap(data));
    }

    /** A text message: a string that was (or will be) valid UTF-8 on the wire. */
    record Text(String text) implements Message {
        public Text {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public String toString() {
            return text.length() <= 64 ? "Text[" + text + "]" : "Text[" + text.length() + " chars]";
        }
    }

    /**
     * A binary message: the bytes between {@code data}'s position and limit.
     *
     * <p>A received message owns a fresh heap buffer that the application may keep and modify. A message being sent
     * is not copied before it is written, so do not modify its buffer until {@code send} has returned.
     */
    record Binary(ByteBuffer data) implements Message {
        public Binary {
            Objects.requireNonNull(data, "data");
        }

        /** A copy of the message's bytes. */
        public byte[] bytes() {
            byte[] copy = new byte[data.remaining()];
            data.duplicate().get(copy);
            return copy;
        }

        @Override
        public String toString() {
            return "Binary[" + data.remaining() + " bytes]";
        }
    }

    /** Returns the text as UTF-8 bytes, or the binary payload as a fresh array. */
    default byte[] toBytes() {
        return switch (this) {
            case Text t -> t.text().getBytes(StandardCharsets.UTF_8);
            case Binary b -> b.bytes();
        };
    }
}
