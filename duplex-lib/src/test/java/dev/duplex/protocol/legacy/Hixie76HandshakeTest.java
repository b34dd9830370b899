package dev.duplex.protocol.legacy;

import dev.duplex.Compression;
import dev.duplex.Framing;
import dev.duplex.HandshakeException;
import dev.duplex.Headers;
import dev.duplex.protocol.handshake.HttpException;
import dev.duplex.protocol.handshake.HttpParser;
import dev.duplex.protocol.handshake.ServerOpening;
import dev.duplex.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hixie-76 handshake against the test vectors of spec/legacy-websocket.md. */
class Hixie76HandshakeTest {

    // Vector A: the worked example of hixie-76/hybi-00, also in Racket's own tests.
    static final String A_KEY1 = "18x 6]8vM;54 *(5:  {   U1]8  z [  8";
    static final String A_KEY2 = "1_ tx7X d  <  nw  334J702) 7]o}` 0";
    static final String A_KEY3 = "Tm[K T2u";
    static final String A_ANSWER = "fQJ,fN/4F4!~K~MH";

    @Test
    void vectorAKeysCountDigitsAndSpacesAsRacketDoes() {
        assertThat(Hixie76Handshake.keyNumber(A_KEY1)).isEqualTo(155712099L); // 1868545188 / 12
        assertThat(Hixie76Handshake.keyNumber(A_KEY2)).isEqualTo(173347027L); // 1733470270 / 10
    }

    @Test
    void vectorAAnswerIsTheMd5OfBothNumbersAndKey3() {
        byte[] answer = Hixie76Handshake.answer(155712099L, 173347027L, A_KEY3.getBytes(StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().formatHex(answer)).isEqualTo("66514a2c664e2f344634217e4b7e4d48");
        assertThat(new String(answer, StandardCharsets.US_ASCII)).isEqualTo(A_ANSWER);
    }

    @Test
    void vectorBFromHixie76SectionOnePointThree() {
        long n1 = Hixie76Handshake.keyNumber("4 @1  46546xW%0l 1 5");
        long n2 = Hixie76Handshake.keyNumber("12998 5 Y3 1  .P00");
        assertThat(n1).isEqualTo(829309203L);
        assertThat(n2).isEqualTo(259970620L);
        byte[] answer = Hixie76Handshake.answer(n1, n2, "^n:ds[4U".getBytes(StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().formatHex(answer)).isEqualTo("386a4b5327793a472a436f2c5778612d");
    }

    @Test
    void aTrailingSpaceCountsAsOneOfTheKeysSpaces() {
        // Racket's generator puts a space after a character, so a key can end with one: "12 " has 1 space.
        assertThat(Hixie76Handshake.keyNumber("1 2 ")).isEqualTo(6L);
        assertThat(Hixie76Handshake.keyNumber("1 2")).isEqualTo(12L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"123456", "1 23456 7", "9999999999 ", "99999999999999999999999 "})
    void badKeysAreRefused(String key) {
        // no spaces; not a multiple of the spaces; quotient 2^32 or more; too many digits
        assertThatThrownBy(() -> Hixie76Handshake.keyNumber(key)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The server wire vector: Vector A's request, headers in the order the notes observed. */
    static byte[] vectorARequest() {
        String head = "GET /demo HTTP/1.1\r\n"
                + "Host: example.com\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key2: " + A_KEY2 + "\r\n"
                + "Upgrade: WebSocket\r\n"
                + "Sec-WebSocket-Key1: " + A_KEY1 + "\r\n"
                + "Origin: http://example.com\r\n"
                + "\r\n" + A_KEY3;
        return head.getBytes(StandardCharsets.ISO_8859_1);
    }

    static final String VECTOR_A_RESPONSE = "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
            + "Upgrade: WebSocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Origin: http://example.com\r\n"
            + "Sec-WebSocket-Location: ws://example.com/demo\r\n"
            + "\r\n" + A_ANSWER;

    @ParameterizedTest
    @EnumSource(value = Framing.class, names = {"OLD", "NEW"})
    void theServerAnswersVectorAByteForByteAsTheSpecsServerDid(Framing framing) throws Exception {
        ByteBuffer in = ByteBuffer.wrap(vectorARequest());
        HttpParser.Head head = new HttpParser(Limits.DEFAULT).parse(in);
        ServerOpening opening = ServerOpening.of(head, framing, Compression.DISABLED);
        assertThat(opening.bodyLength()).isEqualTo(8);
        byte[] key3 = new byte[8];
        in.get(key3);
        byte[] response = opening.accept(key3, Headers.of(
                "Sec-WebSocket-Origin", "http://example.com",
                "Sec-WebSocket-Location", "ws://example.com/demo"));
        assertThat(new String(response, StandardCharsets.ISO_8859_1)).isEqualTo(VECTOR_A_RESPONSE);
        assertThat(opening.request().startLine()).isEqualTo("GET /demo HTTP/1.1");
    }

    @Test
    void aServerLeftAtRfc6455RefusesHixie76With400() throws Exception {
        HttpParser.Head head = new HttpParser(Limits.DEFAULT).parse(ByteBuffer.wrap(vectorARequest()));
        assertThatThrownBy(() -> ServerOpening.of(head, Framing.RFC6455, Compression.DISABLED))
                .isInstanceOfSatisfying(HttpException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void aKeyWithoutSpacesGets400() throws Exception {
        String request = "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\n"
                + "Sec-WebSocket-Key1: 12345\r\nSec-WebSocket-Key2: 1 2\r\n\r\n";
        HttpParser.Head head = new HttpParser(Limits.DEFAULT).parse(
                ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
        assertThatThrownBy(() -> ServerOpening.of(head, Framing.OLD, Compression.DISABLED))
                .isInstanceOfSatisfying(HttpException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("Sec-WebSocket-Key1").contains("no spaces");
                });
    }

    @Test
    void generatedKeysFollowHixie76AndDecodeToTheNumbersBehindTheAnswer() throws Exception {
        Random random = new Random(76);
        for (int i = 0; i < 2000; i++) {
            Hixie76Handshake.Client client = new Hixie76Handshake.Client("h:81", "/a?b=c", Headers.EMPTY,
                    Framing.OLD, random);
            for (String key : new String[] {client.key1(), client.key2()}) {
                assertThat(key).doesNotStartWith(" ").doesNotEndWith(" ").contains(" ");
                Hixie76Handshake.keyNumber(key); // decodes without error
            }
            // A server computes the same answer from the request the client wrote.
            byte[] request = client.request();
            ByteBuffer in = ByteBuffer.wrap(request);
            HttpParser.Head head = new HttpParser(Limits.DEFAULT).parse(in);
            assertThat(head.startLine()).isEqualTo("GET /a?b=c HTTP/1.1");
            assertThat(head.headers().first("Host")).hasValue("h:81");
            byte[] key3 = new byte[8];
            in.get(key3);
            byte[] response = ServerOpening.of(head, Framing.OLD, Compression.DISABLED).accept(key3, Headers.EMPTY);
            byte[] answer = java.util.Arrays.copyOfRange(response, response.length - 16, response.length);
            client.verifyBody(answer);
        }
    }

    @Test
    void theClientRefusesAWrongAnswerAndANon101Status() throws Exception {
        Hixie76Handshake.Client client = new Hixie76Handshake.Client("h", "/", Headers.EMPTY, Framing.NEW,
                new Random(1));
        assertThatThrownBy(() -> client.verifyBody(new byte[16]))
                .isInstanceOf(HandshakeException.class).hasMessageContaining("expected answer");
        HttpParser.Head notFound = new HttpParser(Limits.DEFAULT).parse(ByteBuffer.wrap(
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
        assertThatThrownBy(() -> client.verify(notFound))
                .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void theClientRequestHasTheSpecsHeaderOrderWithThePortAndTheQuery() {
        Hixie76Handshake.Client client = new Hixie76Handshake.Client("example.com:8080", "/chat?room=1",
                Headers.of("Origin", "http://example.com"), Framing.OLD, new Random(5));
        String request = new String(client.request(), StandardCharsets.ISO_8859_1);
        assertThat(request).startsWith("GET /chat?room=1 HTTP/1.1\r\n"
                + "Host: example.com:8080\r\n"
                + "Connection: Upgrade\r\n"
                + "Upgrade: WebSocket\r\n"
                + "Sec-WebSocket-Key1: " + client.key1() + "\r\n"
                + "Sec-WebSocket-Key2: " + client.key2() + "\r\n"
                + "Origin: http://example.com\r\n"
                + "\r\n");
        assertThat(client.request()).hasSize(request.indexOf("\r\n\r\n") + 4 + 8);
    }
}
