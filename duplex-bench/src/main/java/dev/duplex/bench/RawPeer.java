package dev.duplex.bench;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A misbehaving client made of a plain socket, for the soak run: it writes the bytes it is told to (a valid
 * handshake, frames masked or not, half a frame) and reads just enough of the answer to check it. Every read has a
 * timeout, so a peer that gets no answer fails instead of hanging.
 */
final class RawPeer implements AutoCloseable {

    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    static RawPeer connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            return new RawPeer(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** The request head of a valid opening handshake for {@code target}, with extra header lines. */
    static byte[] request(String target, String... extraLines) {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        StringBuilder sb = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n");
        for (String line : extraLines) {
            sb.append(line).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sends a valid handshake request and expects 101. */
    void handshake(String target, String... extraLines) throws IOException {
        write(request(target, extraLines));
        String statusLine = readHead();
        if (!statusLine.startsWith("HTTP/1.1 101 ")) {
            throw new IOException("expected 101, got " + statusLine);
        }
    }

    /** Reads an HTTP head up to its empty line; returns its first line. */
    private String readHead() throws IOException {
        StringBuilder head = new StringBuilder();
        for (int i = 0; i < 64 * 1024; i++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("stream ended inside an HTTP head");
            }
            head.append((char) b);
            if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                return head.substring(0, head.indexOf("\r\n"));
            }
        }
        throw new IOException("HTTP head too long");
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** A whole frame, masked as a client's must be unless {@code masked} is false. */
    static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked) {
        int n = payload.length;
        int extended = n <= 125 ? 0 : n <= 0xFFFF ? 2 : 8;
        byte[] frame = new byte[2 + extended + (masked ? 4 : 0) + n];
        frame[0] = (byte) ((fin ? 0x80 : 0) | opcode);
        int at = 2;
        if (extended == 0) {
            frame[1] = (byte) n;
        } else if (extended == 2) {
            frame[1] = 126;
            frame[2] = (byte) (n >>> 8);
            frame[3] = (byte) n;
            at = 4;
        } else {
            frame[1] = 127;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
            }
            at = 10;
        }
        byte[] key = new byte[4];
        if (masked) {
            frame[1] |= (byte) 0x80;
            ThreadLocalRandom.current().nextBytes(key);
            System.arraycopy(key, 0, frame, at, 4);
            at += 4;
        }
        for (int i = 0; i < n; i++) {
            frame[at + i] = (byte) (payload[i] ^ key[i & 3]);
        }
        return frame;
    }

    /** Reads frames until a Close and returns its status code (1005 when it has none). */
    int readCloseCode() throws IOException {
        for (int i = 0; i < 100_000; i++) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            if (length < 0 || length > 64 << 20) {
                throw new IOException("frame length " + length + " from the server");
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            if ((b0 & 0xF) == CLOSE) {
                return payload.length < 2 ? 1005 : (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF);
            }
        }
        throw new IOException("no Close frame in 100,000 frames");
    }

    /** Reads and discards until the server ends the connection (or resets it), within {@code limit}. */
    void awaitEnd(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        byte[] sink = new byte[16 * 1024];
        for (int i = 0; i < 1_000_000; i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            try {
                if (in.read(sink) < 0) {
                    return;
                }
            } catch (SocketTimeoutException e) {
                break;
            } catch (SocketException e) {
                return; // reset: ended too
            }
        }
        throw new IOException("the server did not end the connection within " + limit);
    }

    /** Drops the connection with a TCP reset, as a crashed peer does. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
