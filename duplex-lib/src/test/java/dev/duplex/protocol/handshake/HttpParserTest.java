package dev.duplex.protocol.handshake;

import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.protocol.Bytes;
import dev.duplex.protocol.EachFeeding;
import dev.duplex.protocol.Feeding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link HttpParser}: an RFC 9112 message head, parsed incrementally, bounded, with the bytes after it left alone. */
@Timeout(30)
class HttpParserTest {

    /** RFC 6455 §1.2's opening handshake request. */
    private static final String REQUEST = """
            GET /chat HTTP/1.1\r
            Host: server.example.com\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Origin: http://example.com\r
            Sec-WebSocket-Protocol: chat, superchat\r
            Sec-WebSocket-Version: 13\r
            \r
            """;

    private static final Headers REQUEST_HEADERS = Headers.of(
            "Host", "server.example.com",
            "Upgrade", "websocket",
            "Connection", "Upgrade",
            "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==",
            "Origin", "http://example.com",
            "Sec-WebSocket-Protocol", "chat, superchat",
            "Sec-WebSocket-Version", "13");

    /** A client may send its first frame in the same packet as the handshake (§5.7's masked "Hello"). */
    private static final byte[] FRAME = Bytes.hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static HttpParser.Head parse(String head) throws HttpException {
        return parse(head, Limits.DEFAULT);
    }

    private static HttpParser.Head parse(String head, Limits limits) throws HttpException {
        return new HttpParser(limits).parse(ByteBuffer.wrap(ascii(head)));
    }

    private static void assertRefused(String head, int status) {
        assertRefused(head, Limits.DEFAULT, status);
    }

    private static void assertRefused(String head, Limits limits, int status) {
        assertThatThrownBy(() -> parse(head, limits)).isInstanceOfSatisfying(HttpException.class,
                e -> assertThat(e.status()).as(e.getMessage()).isEqualTo(status));
    }

    @Test
    void aCompleteHeadIsParsedAndTheBytesAfterItStayInTheBuffer() throws HttpException {
        ByteBuffer in = ByteBuffer.wrap(Bytes.concat(ascii(REQUEST), FRAME));

        HttpParser.Head head = new HttpParser(Limits.DEFAULT).parse(in);

        assertThat(head.startLine()).isEqualTo("GET /chat HTTP/1.1");
        assertThat(head.headers()).isEqualTo(REQUEST_HEADERS);
        assertThat(Bytes.of(in)).isEqualTo(FRAME);
    }

    @EachFeeding
    void theHeadIsTheSameHoweverItIsFedAndTheBytesAfterItAreLeft(Feeding way) throws HttpException {
        HttpParser parser = new HttpParser(Limits.DEFAULT);
        HttpParser.Head head = null;
        ByteArrayOutputStream leftover = new ByteArrayOutputStream();
        for (ByteBuffer piece : way.split(Bytes.concat(ascii(REQUEST), FRAME))) {
            if (head == null) {
                head = parser.parse(piece);
                assertThat(head == null && piece.hasRemaining()).as("%s: a partial head consumes its piece", way)
                        .isFalse();
            }
            leftover.writeBytes(Bytes.of(piece));
        }

        assertThat(head).as(way.toString()).isNotNull();
        assertThat(head.startLine()).as(way.toString()).isEqualTo("GET /chat HTTP/1.1");
        assertThat(head.headers()).as(way.toString()).isEqualTo(REQUEST_HEADERS);
        assertThat(leftover.toByteArray()).as(way.toString()).isEqualTo(FRAME);
    }

    @Test
    void nothingIsReturnedUntilTheEmptyLineArrives() throws HttpException {
        HttpParser parser = new HttpParser(Limits.DEFAULT);

        assertThat(parser.parse(ByteBuffer.wrap(ascii("GET / HTTP/1.1\r\nHost: a\r\n")))).isNull();
        assertThat(parser.parse(ByteBuffer.wrap(ascii("\r")))).isNull();
        assertThat(parser.parse(ByteBuffer.wrap(ascii("\n")))).isNotNull();
    }

    /** RFC 9112 §2.2: "a recipient MAY recognize a single LF as a line terminator and ignore any preceding CR". */
    @Test
    void lfOnlyLineEndingsAreAccepted() throws HttpException {
        HttpParser.Head head = parse(REQUEST.replace("\r\n", "\n"));

        assertThat(head.startLine()).isEqualTo("GET /chat HTTP/1.1");
        assertThat(head.headers()).isEqualTo(REQUEST_HEADERS);
    }

    /** RFC 9112 §2.2: a server "SHOULD ignore at least one empty line (CRLF) received prior to the request-line". */
    @ParameterizedTest
    @ValueSource(strings = {"\r\n", "\n"})
    void anEmptyLineBeforeTheStartLineIsIgnored(String emptyLine) throws HttpException {
        HttpParser.Head head = parse(emptyLine + REQUEST);

        assertThat(head.startLine()).isEqualTo("GET /chat HTTP/1.1");
        assertThat(head.headers()).isEqualTo(REQUEST_HEADERS);
    }

    /** RFC 9112 §5: "The field line value does not include that leading or trailing whitespace". */
    @Test
    void fieldValuesLoseLeadingAndTrailingWhitespaceButKeepInnerWhitespaceAndTabs() throws HttpException {
        HttpParser.Head head = parse("GET / HTTP/1.1\r\nHost: \t a\tb c \t\r\nX-Empty:\r\n\r\n");

        assertThat(head.headers()).isEqualTo(Headers.of("Host", "a\tb c", "X-Empty", ""));
    }

    /** RFC 9112 §5.2: a server "MUST either reject the message by sending a 400 (Bad Request)" or unfold. */
    @Test
    void obsoleteLineFoldingIsRefusedWith400() {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n", 400);
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n\ttwo\r\n\r\n", 400);
    }

    /** RFC 9112 §2.2: whitespace between the start-line and the first field "MUST" be rejected or consumed. */
    @Test
    void whitespaceBeforeTheFirstFieldIsRefusedWith400() {
        assertRefused("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400);
    }

    @Test
    void aFieldLineWithoutAColonIsRefusedWith400() {
        assertRefused("GET / HTTP/1.1\r\nHost a\r\n\r\n", 400);
    }

    /** RFC 9112 §5.1: "No whitespace is allowed between the field name and colon." */
    @ParameterizedTest
    @ValueSource(strings = {"Host : a", "Host\t: a", ": a", "Ho st: a", "Host(): a"})
    void aFieldNameThatIsNotATokenIsRefusedWith400(String line) {
        assertRefused("GET / HTTP/1.1\r\n" + line + "\r\n\r\n", 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET / HTTP/1.1\r\nHost: a\u0000b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\u0001\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\u007fb\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
            "GET / HTTP/1.1\r\nX\u001b: a\r\nHost: a\r\n\r\n",
            "GET /\u001b HTTP/1.1\r\nHost: a\r\n\r\n"})
    void aControlCharacterIsRefusedWith400(String head) {
        assertRefused(head, 400);
    }

    /** The two line endings a recipient accepts (RFC 9112 §2.2). */
    enum LineEnding {
        CRLF("\r\n"), LF("\n");

        final String eol;

        LineEnding(String eol) {
            this.eol = eol;
        }
    }

    private static final int LINE_LIMIT = 64;
    private static final Limits SMALL_LINES = Limits.DEFAULT.withMaxHeaderLineLength(LINE_LIMIT);

    private static String startLineOf(int length) {
        return "GET /" + "a".repeat(length - "GET / HTTP/1.1".length()) + " HTTP/1.1";
    }

    private static String fieldLineOf(int length) {
        return "X: " + "a".repeat(length - 3);
    }

    @ParameterizedTest
    @EnumSource(LineEnding.class)
    void aStartLineOfExactlyTheLimitIsAccepted(LineEnding ending) throws HttpException {
        HttpParser.Head head = parse(startLineOf(LINE_LIMIT) + ending.eol + "Host: a" + ending.eol + ending.eol, SMALL_LINES);

        assertThat(head.startLine()).hasSize(LINE_LIMIT);
    }

    @ParameterizedTest
    @EnumSource(LineEnding.class)
    void aStartLineOneByteOverTheLimitIsRefusedWith414(LineEnding ending) {
        assertRefused(startLineOf(LINE_LIMIT + 1) + ending.eol + "Host: a" + ending.eol + ending.eol, SMALL_LINES, 414);
    }

    @ParameterizedTest
    @EnumSource(LineEnding.class)
    void aFieldLineOfExactlyTheLimitIsAccepted(LineEnding ending) throws HttpException {
        HttpParser.Head head = parse("GET / HTTP/1.1" + ending.eol + fieldLineOf(LINE_LIMIT) + ending.eol + ending.eol, SMALL_LINES);

        assertThat(head.headers().first("X").orElseThrow()).hasSize(LINE_LIMIT - 3);
    }

    @ParameterizedTest
    @EnumSource(LineEnding.class)
    void aFieldLineOneByteOverTheLimitIsRefusedWith431(LineEnding ending) {
        assertRefused("GET / HTTP/1.1" + ending.eol + fieldLineOf(LINE_LIMIT + 1) + ending.eol + ending.eol, SMALL_LINES, 431);
    }

    private static String headWithFields(int count) {
        StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i < count; i++) {
            sb.append("X-").append(i).append(": v\r\n");
        }
        return sb.append("\r\n").toString();
    }

    @Test
    void exactlyTheMaximumNumberOfFieldsIsAccepted() throws HttpException {
        assertThat(parse(headWithFields(4), Limits.DEFAULT.withMaxHeaderCount(4)).headers().size()).isEqualTo(4);
    }

    @Test
    void moreFieldsThanTheMaximumAreRefusedWith431() {
        assertRefused(headWithFields(5), Limits.DEFAULT.withMaxHeaderCount(4), 431);
    }

    @Test
    void aHeadOfExactlyTheMaximumSizeIsAccepted() throws HttpException {
        String head = headWithFields(10);

        assertThat(parse(head, Limits.DEFAULT.withMaxHeaderBytes(head.length()))).isNotNull();
    }

    @Test
    void aHeadOverTheMaximumSizeIsRefusedWith431() {
        String head = headWithFields(10);

        assertRefused(head, Limits.DEFAULT.withMaxHeaderBytes(head.length() - 1), 431);
    }

    /**
     * A peer trickling an endless line must be cut off at the limit, without the parser buffering or even reading
     * further: at most the limit plus one byte (which could have been the CR before LF) of that line.
     */
    @ParameterizedTest
    @ValueSource(strings = {"GET /", "GET / HTTP/1.1\r\nX-Big: "})
    void aOneMebibyteLineTrickledInKibibytePiecesIsRefusedAtTheLimit(String before) throws HttpException {
        HttpParser parser = new HttpParser(Limits.DEFAULT);
        int limit = Limits.DEFAULT.maxHeaderLineLength();
        int lineStart = before.lastIndexOf('\n') + 1;
        assertThat(parser.parse(ByteBuffer.wrap(ascii(before)))).isNull();
        long consumedOfLine = before.length() - lineStart;

        HttpException refused = null;
        byte[] kibibyte = ascii("a".repeat(1024));
        for (int sent = 0; sent < 1 << 20 && refused == null; sent += 1024) {
            ByteBuffer piece = ByteBuffer.wrap(kibibyte);
            try {
                assertThat(parser.parse(piece)).isNull();
            } catch (HttpException e) {
                refused = e;
            }
            consumedOfLine += piece.position();
        }

        assertThat(refused).as("refused before the whole mebibyte").isNotNull();
        assertThat(refused.status()).isEqualTo(lineStart == 0 ? 414 : 431);
        assertThat(consumedOfLine).as("bytes of the long line the parser read").isLessThanOrEqualTo(limit + 1);
    }
}
