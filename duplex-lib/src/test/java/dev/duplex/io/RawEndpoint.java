package dev.duplex.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One end of a plain TCP connection that speaks WebSocket byte by byte, for tests: it writes exactly the bytes it is
 * given and parses what comes back itself. Every read has a timeout (5 s unless changed), so a test that waits for
 * bytes that never come fails instead of hanging.
 */
public abstract class RawEndpoint implements AutoCloseable {

    /** The largest payload {@link #readFrame()} accepts: a guard against a misparsed length. */
    private static final long MAX_PAYLOAD = 64L << 20;
    private static final int MAX_HEAD = 64 * 1024;
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);

    protected final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    protected RawEndpoint(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    /** An HTTP message head: the start-line and the header fields in order, and the body when one was read. */
    public record HttpHead(String startLine, List<Map.Entry<String, String>> fields, byte[] body) {

        /** The status code of a response's status-line. */
        public int status() {
            String[] parts = startLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new AssertionError("not an HTTP status-line: " + startLine);
            }
            return Integer.parseInt(parts[1]);
        }

        public Optional<String> first(String name) {
            return fields.stream().filter(f -> f.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public void setReadTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    }

    /** Writes the parts as one {@code write} call, so they leave in as few TCP segments as the stack allows. */
    public void write(byte[]... parts) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.write(p);
        }
        out.write(all.toByteArray());
        out.flush();
    }

    /** How this end writes a frame: masked with a fresh key for a client, unmasked for a server. */
    protected abstract byte[] encode(RawFrame frame);

    /** Writes the frames, encoded the way this end must (masked or not), in one {@code write} call. */
    public void send(RawFrame... frames) throws IOException {
        byte[][] parts = new byte[frames.length][];
        for (int i = 0; i < frames.length; i++) {
            parts[i] = encode(frames[i]);
        }
        write(parts);
    }

    /**
     * Reads one frame, unmasking it if it is masked.
     *
     * @throws SocketTimeoutException no whole frame within the read timeout
     * @throws EOFException           the stream ended first
     */
    public RawFrame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new IOException("frame length " + Long.toUnsignedString(length) + " is beyond what tests expect");
        }
        boolean masked = (b1 & 0x80) != 0;
        int maskKey = masked ? in.readInt() : 0;
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        if (masked) {
            RawFrame.mask(payload, 0, payload.length, maskKey);
        }
        RawFrame frame = new RawFrame((b0 & 0x80) != 0, (b0 >> 4) & 0x7, b0 & 0xF, payload);
        checkMasking(masked, frame);
        return frame;
    }

    /** RFC 6455 §5.1: clients mask every frame, servers none; each end checks what it receives. */
    protected abstract void checkMasking(boolean masked, RawFrame frame);

    /** Reads frames until a Close, skipping Ping and Pong frames, and returns the Close. */
    public RawFrame readUntilClose() throws IOException {
        for (int i = 0; i < 10_000; i++) {
            RawFrame f = readFrame();
            if (f.opcode() == RawFrame.CLOSE) {
                return f;
            }
            if (f.opcode() != RawFrame.PING && f.opcode() != RawFrame.PONG) {
                throw new AssertionError("expected a Close frame, got " + f);
            }
        }
        throw new AssertionError("no Close frame in 10,000 frames");
    }

    /** Reads an HTTP head up to its empty line, and a body of {@code Content-Length} bytes when it has one. */
    public HttpHead readHttp() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        String startLine = null;
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        for (int total = 0; total < MAX_HEAD; total++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("stream ended inside an HTTP head");
            }
            if (b != '\n') {
                line.write(b);
                continue;
            }
            String s = line.toString(StandardCharsets.ISO_8859_1);
            line.reset();
            if (s.endsWith("\r")) {
                s = s.substring(0, s.length() - 1);
            }
            if (startLine == null) {
                startLine = s;
            } else if (s.isEmpty()) {
                int length = fields.stream().filter(f -> f.getKey().equalsIgnoreCase("Content-Length"))
                        .map(f -> Integer.parseInt(f.getValue().strip())).findFirst().orElse(0);
                byte[] body = new byte[length];
                in.readFully(body);
                return new HttpHead(startLine, fields, body);
            } else {
                int colon = s.indexOf(':');
                fields.add(Map.entry(s.substring(0, colon), s.substring(colon + 1).strip()));
            }
        }
        throw new IOException("HTTP head longer than " + MAX_HEAD + " bytes");
    }

    /**
     * Reads and discards until the peer's end of stream, which must come within {@code limit}.
     *
     * @return how long it took
     * @throws AssertionError the stream did not end in time, or was reset instead of ended
     */
    public Duration readToEof(Duration limit) throws IOException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        byte[] sink = new byte[16 * 1024];
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the peer did not close the connection within " + limit);
            }
            socket.setSoTimeout((int) Math.max(1, Duration.ofNanos(left).toMillis()));
            int n;
            try {
                n = in.read(sink);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (n < 0) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
        }
    }

    /**
     * Expects the peer's end of stream with nothing before it, within {@code limit}: no frame may follow a Close.
     *
     * @return how long it took
     */
    public Duration expectEndOfStream(Duration limit) throws IOException {
        long start = System.nanoTime();
        socket.setSoTimeout((int) Math.max(1, limit.toMillis()));
        int b;
        try {
            b = in.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the peer did not close the connection within " + limit);
        }
        if (b >= 0) {
            byte[] more = new byte[Math.min(in.available(), 64)];
            int n = in.read(more);
            throw new AssertionError("expected the end of the stream, got byte 0x" + Integer.toHexString(b)
                    + (n > 0 ? " and " + n + " more" : ""));
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * Waits up to {@code timeout} for the peer to hang up: returns true once it has ended the stream (after an
     * answer, which is read and discarded, if it sent one), false if the timeout passed with nothing at all.
     */
    public boolean hangsUpWithin(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        int b;
        try {
            b = in.read();
        } catch (SocketTimeoutException e) {
            return false;
        }
        if (b >= 0) {
            readToEof(DEFAULT_READ_TIMEOUT);
        }
        return true;
    }

    /** Drops the connection with a TCP reset (SO_LINGER 0) instead of an orderly end: a peer that crashed. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** Sends FIN: this end will write nothing more. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
