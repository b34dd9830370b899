package dev.duplex.protocol.legacy;

import dev.duplex.Framing;
import dev.duplex.HandshakeException;
import dev.duplex.HandshakeRequest;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.protocol.Protocol;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.deflate.Zlib;
import dev.duplex.protocol.handshake.ClientHandshake;
import dev.duplex.protocol.handshake.ClientOpening;
import dev.duplex.protocol.handshake.HttpException;
import dev.duplex.protocol.handshake.HttpParser;
import dev.duplex.protocol.handshake.ServerHandshake;
import dev.duplex.protocol.handshake.ServerOpening;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The draft-hixie-thewebsocketprotocol-76 opening handshake (identical to hybi-00), which both of the
 * specification's legacy framings use: {@code Sec-WebSocket-Key1}/{@code Key2} header fields and 8 bytes of key3
 * after the request head, answered by the 16-byte MD5 of the two key numbers and key3 after the response head.
 *
 * <p>Keys are counted as the specification's implementation counted them: only leading whitespace is stripped from
 * the header value, so a key that ends in a space (which Racket's key generator produces in about 1.6% of
 * handshakes) counts that space. Unlike Racket, a bad key is answered with 400 instead of a silent drop, the client
 * sends the port in {@code Host} and keeps the query, and it checks the status-line as well as the answer.
 */
public final class Hixie76Handshake {

    private static final String KEY1 = "Sec-WebSocket-Key1";
    private static final String KEY2 = "Sec-WebSocket-Key2";
    private static final Set<String> SERVER_OWN_HEADERS = ServerHandshake.caseInsensitive(
            "Upgrade", "Connection", "Content-Length", "Transfer-Encoding");
    private static final Set<String> CLIENT_OWN_HEADERS = ServerHandshake.caseInsensitive(
            "Host", "Upgrade", "Connection", KEY1, KEY2, "Content-Length", "Transfer-Encoding");

    private Hixie76Handshake() {
    }

    /** Whether a request is a hixie-76 handshake: it carries {@code Sec-WebSocket-Key1} or {@code Key2}. */
    public static boolean isHixie76(Headers headers) {
        return headers.contains(KEY1) || headers.contains(KEY2);
    }

    /**
     * A key's number: its digits read as a decimal number, divided by its count of spaces (hixie-76 §5.2).
     *
     * @param key the header value with leading whitespace stripped and trailing whitespace kept
     * @throws IllegalArgumentException the key has no spaces, its number is not a multiple of them, or the quotient
     *                                  does not fit 32 bits; hixie-76 says the server must abort
     */
    public static long keyNumber(String key) {
        long number = 0;
        int spaces = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c >= '0' && c <= '9') {
                if (number > (Long.MAX_VALUE - 9) / 10) {
                    throw new IllegalArgumentException("key number is too large");
                }
                number = number * 10 + (c - '0');
            } else if (c == ' ') {
                spaces++;
            }
        }
        if (spaces == 0) {
            throw new IllegalArgumentException("key has no spaces");
        }
        if (number % spaces != 0) {
            throw new IllegalArgumentException("key number is not a multiple of its " + spaces + " spaces");
        }
        long quotient = number / spaces;
        if (quotient > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("key number divided by its spaces is 2^32 or more");
        }
        return quotient;
    }

    /** The 16-byte answer: MD5 of the two key numbers (4 bytes each, big-endian) and key3. */
    public static byte[] answer(long number1, long number2, byte[] key3) {
        byte[] challenge = new byte[16];
        for (int i = 0; i < 4; i++) {
            challenge[i] = (byte) (number1 >>> (24 - 8 * i));
            challenge[4 + i] = (byte) (number2 >>> (24 - 8 * i));
        }
        System.arraycopy(key3, 0, challenge, 8, 8);
        try {
            return MessageDigest.getInstance("MD5").digest(challenge);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    /**
     * Validates a hixie-76 request for a server whose legacy framing is {@code framing}.
     *
     * @throws HttpException 400 for a malformed request or bad keys, 405 for a method other than GET
     */
    public static ServerOpening validate(HttpParser.Head head, Framing framing) throws HttpException {
        HandshakeRequest request = ServerHandshake.parseRequest(head);
        Headers headers = request.headers();
        if (!headers.containsToken("Upgrade", "websocket") || !headers.containsToken("Connection", "Upgrade")) {
            throw new HttpException(400, "hixie-76 handshake without Upgrade: WebSocket and Connection: Upgrade");
        }
        long number1 = serverKey(head, KEY1);
        long number2 = serverKey(head, KEY2);
        return new ServerOpening() {
            @Override
            public HandshakeRequest request() {
                return request;
            }

            @Override
            public int bodyLength() {
                return 8;
            }

            @Override
            public byte[] accept(byte[] key3, Headers extra) {
                return response(extra, answer(number1, number2, key3));
            }

            @Override
            public Protocol protocol(Limits limits, RandomGenerator maskKeys, Zlib zlib) {
                return new LegacyProtocol(framing, Role.SERVER, limits);
            }
        };
    }

    private static long serverKey(HttpParser.Head head, String name) throws HttpException {
        List<String> values = head.headers().all(name);
        if (values.size() != 1) {
            throw new HttpException(400, values.isEmpty() ? "missing " + name : "more than one " + name);
        }
        try {
            return keyNumber(head.untrimmedValue(name));
        } catch (IllegalArgumentException e) {
            throw new HttpException(400, "invalid " + name + ": " + e.getMessage());
        }
    }

    /**
     * The server's response, byte for byte as the specification's server wrote it: the hixie-76 status-line,
     * {@code Upgrade} and {@code Connection}, the upgrader's header fields in order, the empty line, the answer.
     */
    static byte[] response(Headers extra, byte[] answer) {
        ServerHandshake.refuseOwnHeaders(extra, SERVER_OWN_HEADERS, "the upgrader may not set ");
        StringBuilder sb = new StringBuilder(200)
                .append("HTTP/1.1 101 WebSocket Protocol Handshake\r\n")
                .append("Upgrade: WebSocket\r\n")
                .append("Connection: Upgrade\r\n");
        ServerHandshake.appendFields(sb, extra);
        byte[] head = sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] response = Arrays.copyOf(head, head.length + answer.length);
        System.arraycopy(answer, 0, response, head.length, answer.length);
        return response;
    }

    /** The client's side: the request with generated keys, and the checks on the response. */
    public static final class Client implements ClientOpening {

        private final String host;
        private final String target;
        private final Headers extra;
        private final Framing framing;
        private final String key1;
        private final String key2;
        private final byte[] key3 = new byte[8];
        private final byte[] expected;

        /**
         * @param host    the Host value, with the port when it is not the scheme's default
         * @param target  the request-target: the URI's raw path and query
         * @param framing {@link Framing#OLD} or {@link Framing#NEW}
         * @param random  where the keys come from
         * @throws IllegalArgumentException {@code extra} includes a field the handshake writes itself
         */
        public Client(String host, String target, Headers extra, Framing framing, RandomGenerator random) {
            if (framing == Framing.RFC6455) {
                throw new IllegalArgumentException("hixie-76 carries the OLD or NEW framing, not RFC 6455");
            }
            ServerHandshake.refuseOwnHeaders(extra, CLIENT_OWN_HEADERS, "the application may not set ");
            this.host = Objects.requireNonNull(host);
            this.target = Objects.requireNonNull(target);
            this.extra = extra;
            this.framing = framing;
            long[] number = new long[2];
            String[] keys = new String[2];
            for (int i = 0; i < 2; i++) {
                int spaces = 1 + random.nextInt(12);
                number[i] = random.nextLong(0xFFFFFFFFL / spaces + 1);
                keys[i] = key(number[i] * spaces, spaces, random);
            }
            key1 = keys[0];
            key2 = keys[1];
            random.nextBytes(key3);
            expected = answer(number[0], number[1], key3);
        }

        /**
         * hixie-76 §4.1 steps 16-22: the product as decimal digits, 1 to 12 random characters from U+0021-U+002F and
         * U+003A-U+007E inserted anywhere, then the spaces inserted anywhere but at the start or the end.
         */
        private static String key(long product, int spaces, RandomGenerator random) {
            StringBuilder key = new StringBuilder(Long.toString(product));
            int noise = 1 + random.nextInt(12);
            for (int i = 0; i < noise; i++) {
                int c = random.nextInt(15 + 69);
                char ch = (char) (c < 15 ? 0x21 + c : 0x3A + c - 15);
                key.insert(random.nextInt(key.length() + 1), ch);
            }
            for (int i = 0; i < spaces; i++) {
                key.insert(1 + random.nextInt(key.length() - 1), ' ');
            }
            return key.toString();
        }

        @Override
        public byte[] request() {
            StringBuilder sb = new StringBuilder(256)
                    .append("GET ").append(target).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append("\r\n")
                    .append("Connection: Upgrade\r\n")
                    .append("Upgrade: WebSocket\r\n")
                    .append(KEY1).append(": ").append(key1).append("\r\n")
                    .append(KEY2).append(": ").append(key2).append("\r\n");
            ServerHandshake.appendFields(sb, extra);
            byte[] head = sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
            byte[] request = Arrays.copyOf(head, head.length + 8);
            System.arraycopy(key3, 0, request, head.length, 8);
            return request;
        }

        @Override
        public void verify(HttpParser.Head response) throws HandshakeException {
            Headers headers = response.headers();
            int status = ClientHandshake.statusCode(response.startLine());
            if (status != 101) {
                throw new HandshakeException("server answered \"" + response.startLine()
                        + "\" instead of 101 WebSocket Protocol Handshake", Math.max(status, 0), headers);
            }
            if (!headers.containsToken("Upgrade", "websocket") || !headers.containsToken("Connection", "Upgrade")) {
                throw new HandshakeException("response lacks Upgrade: WebSocket and Connection: Upgrade", status,
                        headers);
            }
        }

        @Override
        public int responseBodyLength() {
            return 16;
        }

        @Override
        public void verifyBody(byte[] body) throws HandshakeException {
            if (!MessageDigest.isEqual(body, expected)) {
                throw new HandshakeException("invalid server handshake response: expected answer "
                        + HexFormat.of().formatHex(expected) + ", got " + HexFormat.of().formatHex(body), 101,
                        Headers.EMPTY);
            }
        }

        @Override
        public Protocol protocol(Limits limits, RandomGenerator maskKeys, Zlib zlib) {
            return new LegacyProtocol(framing, Role.CLIENT, limits);
        }

        /** The generated {@code Sec-WebSocket-Key1} value. */
        public String key1() {
            return key1;
        }

        /** The generated {@code Sec-WebSocket-Key2} value. */
        public String key2() {
            return key2;
        }
    }
}
