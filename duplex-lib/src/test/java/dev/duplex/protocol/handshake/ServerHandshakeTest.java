package dev.duplex.protocol.handshake;

import dev.duplex.HandshakeRequest;
import dev.duplex.Headers;
import dev.duplex.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ServerHandshake}: RFC 6455 §4.2, the server's side of the opening handshake. */
class ServerHandshakeTest {

    /** A request as lines without their endings, so each case can add, drop or replace one. */
    private record Request(String startLine, List<String> fields) {

        /** RFC 6455 §1.2's example request. */
        static Request rfc() {
            return new Request("GET /chat HTTP/1.1", List.of(
                    "Host: server.example.com",
                    "Upgrade: websocket",
                    "Connection: Upgrade",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                    "Origin: http://example.com",
                    "Sec-WebSocket-Protocol: chat, superchat",
                    "Sec-WebSocket-Version: 13"));
        }

        Request startLine(String line) {
            return new Request(line, fields);
        }

        Request without(String name) {
            List<String> kept = new ArrayList<>();
            for (String f : fields) {
                if (!f.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                    kept.add(f);
                }
            }
            return new Request(startLine, kept);
        }

        Request with(String field) {
            List<String> more = new ArrayList<>(fields);
            more.add(field);
            return new Request(startLine, more);
        }

        Request replace(String name, String field) {
            return without(name).with(field);
        }

        HandshakeRequest validate() throws HttpException {
            String head = startLine + "\r\n" + String.join("\r\n", fields) + "\r\n\r\n";
            HttpParser.Head parsed = new HttpParser(Limits.DEFAULT)
                    .parse(ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1)));
            return ServerHandshake.validate(parsed);
        }
    }

    private static HttpException refusal(Request request) {
        try {
            request.validate();
        } catch (HttpException e) {
            return e;
        }
        throw new AssertionError("the handshake accepted " + request);
    }

    private static void assertUpgradeRequired(Request request) {
        HttpException e = refusal(request);
        assertThat(e.status()).as(e.getMessage()).isEqualTo(426);
        // §4.4: the server answers with "a |Sec-WebSocket-Version| header field indicating the version(s)".
        assertThat(e.headers().all("Sec-WebSocket-Version")).containsExactly("13");
    }

    /** §1.3's worked example. */
    @Test
    void theRfcsKeyGivesTheRfcsAcceptValue() {
        assertThat(ServerHandshake.acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void theRfcsRequestIsAcceptedWithItsStartLineTargetAndHeaders() throws HttpException {
        HandshakeRequest request = Request.rfc().validate();

        assertThat(request.startLine()).isEqualTo("GET /chat HTTP/1.1");
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.target()).isEqualTo("/chat");
        assertThat(request.headers().first("Origin")).contains("http://example.com");
    }

    @Test
    void theResponseIsTheExact101WithTheUpgradersHeadersAfterTheHandshakes() throws HttpException {
        HandshakeRequest request = Request.rfc().validate();

        byte[] response = ServerHandshake.accept(request, Headers.of("Sec-WebSocket-Protocol", "chat"));

        assertThat(new String(response, StandardCharsets.ISO_8859_1)).isEqualTo("""
                HTTP/1.1 101 Switching Protocols\r
                Upgrade: websocket\r
                Connection: Upgrade\r
                Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
                Sec-WebSocket-Protocol: chat\r
                \r
                """);
    }

    @Test
    void theTargetKeepsItsQuery() throws HttpException {
        HandshakeRequest request = Request.rfc().startLine("GET /chat?room=1&x=%20 HTTP/1.1").validate();

        assertThat(request.target()).isEqualTo("/chat?room=1&x=%20");
        assertThat(request.path()).isEqualTo("/chat");
        assertThat(request.query()).isEqualTo("room=1&x=%20");
    }

    /** RFC 9112 §3.2: 400 for a request "that lacks a Host header field" or has "more than one". */
    @Test
    void aRequestWithoutHostIsRefusedWith400() {
        assertThat(refusal(Request.rfc().without("Host")).status()).isEqualTo(400);
    }

    @Test
    void aRequestWithTwoHostsIsRefusedWith400() {
        assertThat(refusal(Request.rfc().with("Host: other.example.com")).status()).isEqualTo(400);
    }

    /** §4.1: "The method of the request MUST be GET"; RFC 9110 §15.5.6: a 405 carries Allow. */
    @Test
    void aPostIsRefusedWith405AllowingGet() {
        HttpException e = refusal(Request.rfc().startLine("POST /chat HTTP/1.1"));

        assertThat(e.status()).isEqualTo(405);
        assertThat(e.headers().all("Allow")).containsExactly("GET");
    }

    /** §4.1: "the HTTP version MUST be at least 1.1". */
    @ParameterizedTest
    @ValueSource(strings = {"GET /chat HTTP/1.0", "GET /chat HTTP/0.9", "GET /chat", "GET  /chat HTTP/1.1",
            "GET /chat HTTP/1.1 extra", "GET /chat HTTPS/1.1"})
    void aRequestLineThatIsNotHttp11OrLaterIsRefusedWith400(String startLine) {
        assertThat(refusal(Request.rfc().startLine(startLine)).status()).isEqualTo(400);
    }

    @Test
    void aRequestWithoutUpgradeIsRefusedWith426() {
        assertUpgradeRequired(Request.rfc().without("Upgrade"));
    }

    @Test
    void anUpgradeToAnotherProtocolIsRefusedWith426() {
        assertUpgradeRequired(Request.rfc().replace("Upgrade", "Upgrade: h2c"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Connection: keep-alive", "Connection: close", "Connection: upgrades"})
    void aConnectionFieldWithoutTheUpgradeTokenIsRefusedWith426(String connection) {
        assertUpgradeRequired(Request.rfc().replace("Connection", connection));
    }

    @Test
    void aRequestWithoutConnectionIsRefusedWith426() {
        assertUpgradeRequired(Request.rfc().without("Connection"));
    }

    /** §4.2.1: the tokens are matched ASCII case-insensitively, inside comma-separated lists. */
    @ParameterizedTest
    @ValueSource(strings = {"Connection: keep-alive, Upgrade", "Connection: upgrade", "Connection: UPGRADE,keep-alive",
            "connection: keep-alive ,  Upgrade  "})
    void theUpgradeTokenIsFoundInAnyCaseInsideAList(String connection) throws HttpException {
        assertThat(Request.rfc().replace("Connection", connection).validate().method()).isEqualTo("GET");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Upgrade: WebSocket", "Upgrade: websocket, h2c", "upgrade: WEBSOCKET"})
    void theWebsocketTokenIsFoundInAnyCaseInsideAList(String upgrade) throws HttpException {
        assertThat(Request.rfc().replace("Upgrade", upgrade).validate().method()).isEqualTo("GET");
    }

    @Test
    void theConnectionTokensMayBeSpreadOverSeveralFields() throws HttpException {
        Request request = Request.rfc().replace("Connection", "Connection: keep-alive").with("Connection: Upgrade");

        assertThat(request.validate().method()).isEqualTo("GET");
    }

    /** §4.2.2: a version the server does not understand gets 426 and the versions it does. */
    @ParameterizedTest
    @ValueSource(strings = {"Sec-WebSocket-Version: 8", "Sec-WebSocket-Version: 14", "Sec-WebSocket-Version: 0"})
    void anotherWebSocketVersionIsRefusedWith426NamingVersion13(String version) {
        assertUpgradeRequired(Request.rfc().replace("Sec-WebSocket-Version", version));
    }

    @Test
    void aMissingWebSocketVersionIsRefusedWith426NamingVersion13() {
        assertUpgradeRequired(Request.rfc().without("Sec-WebSocket-Version"));
    }

    /** §4.2.1: the key is "a base64-encoded value that, when decoded, is 16 bytes in length". */
    @ParameterizedTest
    @ValueSource(strings = {
            "Sec-WebSocket-Key: dGhlIHNhbXBsZQ==",           // 10 bytes
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZSE=",   // 17 bytes
            "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAAA",   // 24 characters, 18 bytes
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ",     // padding missing
            "Sec-WebSocket-Key: !GhlIHNhbXBsZSBub25jZQ==",   // not base64
            "Sec-WebSocket-Key: "})
    void anInvalidKeyIsRefusedWith400(String key) {
        assertThat(refusal(Request.rfc().replace("Sec-WebSocket-Key", key)).status()).isEqualTo(400);
    }

    @Test
    void aMissingKeyIsRefusedWith400() {
        assertThat(refusal(Request.rfc().without("Sec-WebSocket-Key")).status()).isEqualTo(400);
    }

    @Test
    void twoKeysAreRefusedWith400() {
        assertThat(refusal(Request.rfc().with("Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==")).status())
                .isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Upgrade", "Connection", "Sec-WebSocket-Accept", "sec-websocket-accept",
            "Sec-WebSocket-Extensions", "Content-Length", "Transfer-Encoding"})
    void anUpgraderMayNotSetAFieldTheHandshakeOwns(String name) throws HttpException {
        HandshakeRequest request = Request.rfc().validate();

        assertThatThrownBy(() -> ServerHandshake.accept(request, Headers.of(name, "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRefusalCarriesTheStatusItsFieldsAndAPlainTextReason() {
        HttpException e = refusal(Request.rfc().without("Sec-WebSocket-Version"));
        String body = e.getMessage() + "\n";

        byte[] response = ServerHandshake.reject(e.status(), e.getMessage(), e.headers());

        assertThat(new String(response, StandardCharsets.UTF_8)).isEqualTo("HTTP/1.1 426 Upgrade Required\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                + "Connection: close\r\n"
                + "Upgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "\r\n"
                + body);
    }
}
