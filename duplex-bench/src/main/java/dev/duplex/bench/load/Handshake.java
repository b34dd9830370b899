package dev.duplex.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.SplittableRandom;

/** The client's side of the opening handshake (RFC 6455 §4.1), minimal and strict. */
final class Handshake {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_HEAD = 8192;

    private final String accept;
    private final byte[] request;

    Handshake(String hostPort, SplittableRandom random) {
        byte[] nonce = new byte[16];
        for (int i = 0; i < nonce.length; i++) {
            nonce[i] = (byte) random.nextInt(256);
        }
        String key = Base64.getEncoder().encodeToString(nonce);
        this.accept = accept(key);
        // No Sec-WebSocket-Extensions: no server may compress, whatever its default.
        this.request = ("GET / HTTP/1.1\r\n"
                + "Host: " + hostPort + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    byte[] request() {
        return request;
    }

    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-1", e);
        }
    }

    /**
     * Reads the server's response from {@code in} (read mode). Returns false while it is incomplete; returns true
     * once a valid 101 has been consumed, leaving any frame bytes that followed it in {@code in}.
     */
    boolean response(ByteBuffer in) {
        int end = -1;
        for (int i = in.position(); i + 3 < in.limit(); i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            if (in.remaining() >= MAX_HEAD) {
                throw new Failure("the handshake response is longer than " + MAX_HEAD + " bytes");
            }
            return false;
        }
        String head = new String(in.array(), in.arrayOffset() + in.position(), end - in.position(),
                StandardCharsets.ISO_8859_1);
        in.position(end + 4);
        String[] lines = head.split("\r\n");
        if (!lines[0].startsWith("HTTP/1.1 101")) {
            throw new Failure("the server answered the handshake with " + lines[0]);
        }
        boolean upgrade = false, connection = false, accepted = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new Failure("malformed response header: " + lines[i]);
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            switch (name) {
                case "upgrade" -> upgrade = value.equalsIgnoreCase("websocket");
                case "connection" -> connection = value.toLowerCase(Locale.ROOT).contains("upgrade");
                case "sec-websocket-accept" -> accepted = value.equals(accept);
                case "sec-websocket-extensions" -> throw new Failure("the server chose an extension nobody offered: " + value);
                default -> { }
            }
        }
        if (!upgrade || !connection || !accepted) {
            throw new Failure("the handshake response lacks a valid Upgrade, Connection or Sec-WebSocket-Accept:\n" + head);
        }
        return true;
    }
}
