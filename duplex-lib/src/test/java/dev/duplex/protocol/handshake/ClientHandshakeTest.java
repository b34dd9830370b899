package dev.duplex.protocol.handshake;

import dev.duplex.HandshakeException;
import dev.duplex.Headers;
import dev.duplex.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ClientHandshake}: RFC 6455 §4.1, the client's request and its checks on the server's response. */
class ClientHandshakeTest {

    /** §1.3's nonce: its base64 form is the RFC's example key. */
    private static final byte[] NONCE = "the sample nonce".getBytes(StandardCharsets.US_ASCII);

    private static final Headers OFFER = Headers.of(
            "Origin", "http://example.com",
            "Sec-WebSocket-Protocol", "chat, superchat");

    private static ClientHandshake handshake() {
        return new ClientHandshake("server.example.com", "/chat", OFFER, NONCE);
    }

    private static HttpParser.Head response(String... lines) throws HttpException {
        String head = String.join("\r\n", lines) + "\r\n\r\n";
        return new HttpParser(Limits.DEFAULT).parse(ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static final String STATUS_101 = "HTTP/1.1 101 Switching Protocols";
    private static final String UPGRADE = "Upgrade: websocket";
    private static final String CONNECTION = "Connection: Upgrade";
    private static final String ACCEPT = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private static void assertRejected(HttpParser.Head response, int status) {
        assertThatThrownBy(() -> handshake().verify(response)).isInstanceOfSatisfying(HandshakeException.class,
                e -> assertThat(e.status()).as(e.getMessage()).isEqualTo(status));
    }

    @Test
    void theKeyIsTheNonceInBase64() {
        assertThat(handshake().key()).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
    }

    @Test
    void theRequestIsTheRfcsExampleByteForByte() {
        assertThat(new String(handshake().request(), StandardCharsets.ISO_8859_1)).isEqualTo("""
                GET /chat HTTP/1.1\r
                Host: server.example.com\r
                Upgrade: websocket\r
                Connection: Upgrade\r
                Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
                Sec-WebSocket-Version: 13\r
                Origin: http://example.com\r
                Sec-WebSocket-Protocol: chat, superchat\r
                \r
                """);
    }

    @Test
    void theRequestPassesTheServersOwnValidation() throws HttpException {
        HttpParser.Head head = new HttpParser(Limits.DEFAULT).parse(ByteBuffer.wrap(handshake().request()));

        assertThat(ServerHandshake.validate(head).target()).isEqualTo("/chat");
    }

    @Test
    void aNonceThatIsNot16BytesIsRefused() {
        assertThatThrownBy(() -> new ClientHandshake("h", "/", Headers.EMPTY, new byte[15]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "sec-websocket-version",
            "Sec-WebSocket-Extensions"})
    void theApplicationMayNotSetAFieldTheHandshakeOwns(String name) {
        assertThatThrownBy(() -> new ClientHandshake("h", "/", Headers.of(name, "x"), NONCE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRfcsResponseIsAccepted() {
        assertThatCode(() -> handshake().verify(response(STATUS_101, UPGRADE, CONNECTION, ACCEPT,
                "Sec-WebSocket-Protocol: chat"))).doesNotThrowAnyException();
    }

    @Test
    void aResponseWithoutASubprotocolIsAcceptedWhenNoneWasOffered() {
        ClientHandshake plain = new ClientHandshake("server.example.com", "/chat", Headers.EMPTY, NONCE);
        assertThatCode(() -> plain.verify(response(STATUS_101, UPGRADE, CONNECTION, ACCEPT)))
                .doesNotThrowAnyException();
    }

    /**
     * RFC 6455 lets a server select none of the offered subprotocols; like browsers and Node ws, the client then
     * fails, so that an application never speaks a subprotocol to a server that did not agree to it.
     */
    @Test
    void aResponseThatSelectsNoneOfTheOfferedSubprotocolsIsRejected() throws HttpException {
        assertRejected(response(STATUS_101, UPGRADE, CONNECTION, ACCEPT), 101);
    }

    /** §4.1: Upgrade and Connection are compared as "ASCII case-insensitive" matches. */
    @Test
    void upgradeAndConnectionMatchInAnyCase() {
        assertThatCode(() -> handshake().verify(response(STATUS_101, "upgrade: WebSocket",
                "connection: keep-alive, upgrade", ACCEPT, "Sec-WebSocket-Protocol: chat")))
                .doesNotThrowAnyException();
    }

    /** §4.1: "If the status code received from the server is not 101, the client handles the response per HTTP". */
    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.1 403 Forbidden", "HTTP/1.1 200 OK", "HTTP/1.1 426 Upgrade Required",
            "HTTP/1.1 302 Found"})
    void aStatusOtherThan101IsRejectedWithThatStatus(String statusLine) throws HttpException {
        int status = Integer.parseInt(statusLine.substring(9, 12));
        HttpParser.Head response = response(statusLine, "Content-Length: 0");

        assertThatThrownBy(() -> handshake().verify(response)).isInstanceOfSatisfying(HandshakeException.class,
                e -> {
                    assertThat(e.status()).isEqualTo(status);
                    assertThat(e.getMessage()).contains(String.valueOf(status));
                    assertThat(e.headers().first("Content-Length")).contains("0");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.1 1O1 Switching Protocols", "ICY 101 OK", "HTTP/1.1 101Switching"})
    void aStatusLineThatIsNotHttpIsRejectedWithoutAStatus(String statusLine) throws HttpException {
        assertRejected(response(statusLine, UPGRADE, CONNECTION, ACCEPT), 0);
    }

    @Test
    void aMissingUpgradeIsRejected() throws HttpException {
        assertRejected(response(STATUS_101, CONNECTION, ACCEPT), 101);
    }

    @Test
    void anUpgradeToAnotherProtocolIsRejected() throws HttpException {
        assertRejected(response(STATUS_101, "Upgrade: h2c", CONNECTION, ACCEPT), 101);
    }

    @Test
    void aMissingConnectionIsRejected() throws HttpException {
        assertRejected(response(STATUS_101, UPGRADE, ACCEPT), 101);
    }

    @Test
    void aConnectionWithoutTheUpgradeTokenIsRejected() throws HttpException {
        assertRejected(response(STATUS_101, UPGRADE, "Connection: keep-alive", ACCEPT), 101);
    }

    /** §4.1: the accept value must be "the base64-encoded SHA-1 of the concatenation of the |Sec-WebSocket-Key|". */
    @ParameterizedTest
    @ValueSource(strings = {"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOO=",
            "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Accept: "})
    void aWrongAcceptValueIsRejected(String accept) throws HttpException {
        assertRejected(response(STATUS_101, UPGRADE, CONNECTION, accept), 101);
    }

    @Test
    void aMissingAcceptValueIsRejected() throws HttpException {
        assertRejected(response(STATUS_101, UPGRADE, CONNECTION), 101);
    }

    @Test
    void twoAcceptValuesAreRejected() throws HttpException {
        assertRejected(response(STATUS_101, UPGRADE, CONNECTION, ACCEPT, ACCEPT), 101);
    }

    /** §4.1: an extension "not present in the client's handshake" fails the connection. */
    @Test
    void anExtensionThatWasNotOfferedIsRejected() throws HttpException {
        assertRejected(response(STATUS_101, UPGRADE, CONNECTION, ACCEPT,
                "Sec-WebSocket-Extensions: permessage-deflate"), 101);
    }

    /** §4.1: a subprotocol "that was not present in the client's handshake" fails the connection. */
    @Test
    void aSubprotocolThatWasNotOfferedIsRejected() throws HttpException {
        assertRejected(response(STATUS_101, UPGRADE, CONNECTION, ACCEPT, "Sec-WebSocket-Protocol: mqtt"), 101);
    }

    @Test
    void aSubprotocolWhenNoneWasOfferedIsRejected() throws HttpException {
        HttpParser.Head response = response(STATUS_101, UPGRADE, CONNECTION, ACCEPT, "Sec-WebSocket-Protocol: chat");
        ClientHandshake plain = new ClientHandshake("server.example.com", "/chat", Headers.EMPTY, NONCE);

        assertThatThrownBy(() -> plain.verify(response)).isInstanceOf(HandshakeException.class);
    }
}
