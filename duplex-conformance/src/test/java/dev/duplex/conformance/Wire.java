package dev.duplex.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One TCP connection as the suite sees it: exact bytes out, in as many writes as asked (a "chop" is one write, so
 * one TCP segment with Nagle off), and frames or an HTTP head in, each read against a deadline. Bytes read stay in
 * this object's buffer across a timeout, so waiting for a frame that does not come loses nothing.
 */
final class Wire implements AutoCloseable {

    /** A frame as read: the header fields, and the payload already unmasked. */
    record Received(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
    }

    /** An HTTP head: the start-line and the header fields in order. */
    record Head(String startLine, List<String[]> fields) {

        Optional<String> first(String name) {
            return fields.stream().filter(f -> f[0].equalsIgnoreCase(name)).map(f -> f[1]).findFirst();
        }

        List<String> all(String name) {
            return fields.stream().filter(f -> f[0].equalsIgnoreCase(name)).map(f -> f[1]).toList();
        }
    }

    /** The largest frame the suite reads: the biggest case sends 16 MiB. */
    private static final long MAX_FRAME = 64L << 20;
    private static final int MAX_HEAD = 64 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;
    private boolean eof;

    Wire(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Writes the bytes in one call. */
    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Writes the bytes in calls of {@code chop} bytes each: one TCP segment per chop. */
    void writeChopped(byte[] bytes, int chop) throws IOException {
        for (int i = 0; i < bytes.length; i += chop) {
            out.write(bytes, i, Math.min(chop, bytes.length - i));
            out.flush();
        }
    }

    /**
     * Reads one frame.
     *
     * @return the frame, or empty when the deadline passed first (nothing is lost: the next call goes on)
     * @throws java.io.EOFException the stream ended, possibly inside a frame
     */
    Optional<Received> readFrame(long deadlineNanos) throws IOException {
        if (!fill(2, deadlineNanos)) {
            return Optional.empty();
        }
        int b0 = buffer[start] & 0xFF;
        int b1 = buffer[start + 1] & 0xFF;
        boolean masked = (b1 & 0x80) != 0;
        int len7 = b1 & 0x7F;
        int headerLength = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
        if (!fill(headerLength, deadlineNanos)) {
            return Optional.empty();
        }
        long length = len7;
        if (len7 == 126) {
            length = (buffer[start + 2] & 0xFF) << 8 | (buffer[start + 3] & 0xFF);
        } else if (len7 == 127) {
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = length << 8 | (buffer[start + i] & 0xFF);
            }
        }
        if (length < 0 || length > MAX_FRAME) {
            throw new IOException("the peer sent a frame of " + Long.toUnsignedString(length) + " bytes");
        }
        if (!fill(headerLength + (int) length, deadlineNanos)) {
            return Optional.empty();
        }
        byte[] payload = Arrays.copyOfRange(buffer, start + headerLength, start + headerLength + (int) length);
        if (masked) {
            int k = headerLength - 4;
            int key = (buffer[start + k] & 0xFF) << 24 | (buffer[start + k + 1] & 0xFF) << 16
                    | (buffer[start + k + 2] & 0xFF) << 8 | (buffer[start + k + 3] & 0xFF);
            Frame.mask(payload, 0, payload.length, key, 0);
        }
        start += headerLength + (int) length;
        return Optional.of(new Received((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0xF, masked, payload));
    }

    /** Reads an HTTP head up to its empty line; what follows stays buffered for {@link #readFrame}. */
    Head readHead(long deadlineNanos) throws IOException {
        String startLine = null;
        List<String[]> fields = new ArrayList<>();
        int scanned = 0;
        while (true) {
            int lf = -1;
            for (int i = start; i < end; i++) {
                if (buffer[i] == '\n') {
                    lf = i;
                    break;
                }
            }
            if (lf < 0) {
                if (scanned + end - start > MAX_HEAD) {
                    throw new IOException("HTTP head longer than " + MAX_HEAD + " bytes");
                }
                if (!fill(end - start + 1, deadlineNanos)) {
                    throw new SocketTimeoutException("no complete HTTP head in time");
                }
                continue;
            }
            int lineEnd = lf > start && buffer[lf - 1] == '\r' ? lf - 1 : lf;
            String line = new String(buffer, start, lineEnd - start, StandardCharsets.ISO_8859_1);
            scanned += lf + 1 - start;
            start = lf + 1;
            if (startLine == null) {
                startLine = line;
            } else if (line.isEmpty()) {
                return new Head(startLine, fields);
            } else {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("malformed header line: " + line);
                }
                fields.add(new String[] {line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).strip()});
            }
        }
    }

    /** Whether the peer has ended its stream and every byte before the end has been read. */
    boolean atEof() {
        return eof && start == end;
    }

    /**
     * Reads and discards until the peer's end of stream.
     *
     * @return true once it ended, false when the deadline passed first
     */
    boolean awaitEof(long deadlineNanos) throws IOException {
        while (!eof) {
            start = end = 0;
            if (!readMore(deadlineNanos)) {
                return false;
            }
        }
        start = end;
        return true;
    }

    /** Makes {@code n} bytes available from {@code start}; false when the deadline passed first. */
    private boolean fill(int n, long deadlineNanos) throws IOException {
        while (end - start < n) {
            if (eof) {
                start = end; // a frame cut short by the end of the stream is dropped, and the stream is over
                throw new java.io.EOFException("the peer ended the stream");
            }
            if (buffer.length - start < n) {
                byte[] bigger = buffer.length >= n ? buffer : new byte[Math.max(n, 2 * buffer.length)];
                System.arraycopy(buffer, start, bigger, 0, end - start);
                buffer = bigger;
                end -= start;
                start = 0;
            }
            if (!readMore(deadlineNanos)) {
                return false;
            }
        }
        return true;
    }

    /** One read into the free end of the buffer; false when the deadline passed with nothing read. */
    private boolean readMore(long deadlineNanos) throws IOException {
        if (end == buffer.length) {
            if (start == 0) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            } else {
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
        int n;
        try {
            n = in.read(buffer, end, buffer.length - end);
        } catch (SocketTimeoutException e) {
            return false;
        }
        if (n < 0) {
            eof = true;
        } else {
            end += n;
        }
        return true;
    }

    /** Sends FIN: nothing more will be written. */
    void shutdownOutput() throws IOException {
        if (!socket.isClosed() && !socket.isOutputShutdown()) {
            socket.shutdownOutput();
        }
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
