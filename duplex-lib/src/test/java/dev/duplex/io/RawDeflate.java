package dev.duplex.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * permessage-deflate (RFC 7692) done by hand for raw peers: compressing with the JDK's zlib the way a sender must
 * (raw deflate, sync flush, the {@code 00 00 ff ff} tail stripped), inflating what the library sends, and endless
 * compressed zeros for decompression bombs. Independent of the library's own {@code PerMessageDeflate}.
 */
final class RawDeflate {

    /** An offer that asks for no context takeover either way. */
    static final String NO_TAKEOVER = "permessage-deflate; client_no_context_takeover; server_no_context_takeover";
    /** An offer that keeps the context both ways (a server that allows it answers plain permessage-deflate). */
    static final String TAKEOVER = "permessage-deflate";

    private static final byte[] TAIL = {0x00, 0x00, (byte) 0xFF, (byte) 0xFF};

    private RawDeflate() {
    }

    /** Opens a raw connection that offers {@code offer} and checks that the server accepted permessage-deflate. */
    static RawClient open(int port, String offer) throws IOException {
        RawClient raw = RawClient.connect(port);
        try {
            RawEndpoint.HttpHead response = raw.handshakeWith("/", List.of("Sec-WebSocket-Extensions: " + offer));
            assertThat(response.first("Sec-WebSocket-Extensions")).as("the server's answer to %s", offer)
                    .hasValueSatisfying(v -> assertThat(v).startsWith("permessage-deflate"));
            return raw;
        } catch (IOException | RuntimeException | AssertionError e) {
            raw.close();
            throw e;
        }
    }

    /** A raw-mode compressor, as RFC 7692 §7.2.1 needs. */
    static Deflater deflater() {
        return new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    }

    /** Compresses one message (RFC 7692 §7.2.1): sync flush, then the {@code 00 00 ff ff} tail removed. */
    static byte[] compress(Deflater deflater, byte[] message) {
        deflater.setInput(message);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int i = 0; i < 1_000_000; i++) {
            int n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, n);
            if (n < buffer.length && deflater.needsInput()) {
                break;
            }
        }
        byte[] all = out.toByteArray();
        assertThat(Arrays.copyOfRange(all, all.length - 4, all.length)).as("sync flush tail").isEqualTo(TAIL);
        return Arrays.copyOf(all, all.length - 4);
    }

    /** Inflates one message's payload (the tail put back, RFC 7692 §7.2.2), at most {@code max} bytes of it. */
    static byte[] inflate(Inflater inflater, byte[] payload, int max) throws DataFormatException {
        inflater.setInput(payload);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        boolean tailGiven = false;
        for (int i = 0; i < 1_000_000 && out.size() <= max; i++) {
            int n = inflater.inflate(buffer);
            out.write(buffer, 0, n);
            if (n == 0 && inflater.needsInput()) {
                if (tailGiven) {
                    break;
                }
                inflater.setInput(TAIL);
                tailGiven = true;
            }
        }
        return out.toByteArray();
    }

    /**
     * A decompression bomb made on demand: the compressed form of endless zeros, handed out in pieces of a chosen
     * size. Each KiB of it inflates to about a MiB; the stream is never finished, a receiver must stop it.
     */
    static final class Bomb {

        private final Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        private final byte[] zeros = new byte[1 << 20];
        private long inflatedSize;

        /** The next {@code size} bytes (or a few more) of compressed zeros. */
        byte[] next(int size) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(size + 1024);
            byte[] buffer = new byte[16 * 1024];
            for (int i = 0; i < 1_000_000 && out.size() < size; i++) {
                if (deflater.needsInput()) {
                    deflater.setInput(zeros);
                    inflatedSize += zeros.length;
                }
                out.write(buffer, 0, deflater.deflate(buffer, 0, buffer.length, Deflater.NO_FLUSH));
            }
            return out.toByteArray();
        }

        /** How many zeros the pieces handed out so far inflate to, about. */
        long inflatedSize() {
            return inflatedSize;
        }

        void end() {
            deflater.end();
        }
    }
}
