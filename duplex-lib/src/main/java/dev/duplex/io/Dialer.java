package dev.duplex.io;

import dev.duplex.ClientOptions;
import dev.duplex.Framing;
import dev.duplex.HandshakeException;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.Scheme;
import dev.duplex.WebSocket;
import dev.duplex.protocol.handshake.ClientHandshake;
import dev.duplex.protocol.handshake.ClientOpening;
import dev.duplex.protocol.handshake.ExtensionMismatch;
import dev.duplex.protocol.handshake.HttpException;
import dev.duplex.protocol.handshake.HttpParser;
import dev.duplex.protocol.legacy.Hixie76Handshake;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@link WebSocket#connect}: TCP (through an HTTP proxy's CONNECT tunnel when one is configured), TLS for
 * {@code wss:}, the client's opening handshake, and redirects when they are allowed.
 */
public final class Dialer {

    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private Dialer() {
    }

    public static WebSocket connect(URI uri, Headers headers, ClientOptions options) throws IOException {
        if (!options.subprotocols().isEmpty()) {
            if (headers.contains("Sec-WebSocket-Protocol")) {
                throw new IllegalArgumentException("offer subprotocols with ClientOptions.withSubprotocols or with a "
                        + "Sec-WebSocket-Protocol header, not both");
            }
            headers = headers.with("Sec-WebSocket-Protocol", String.join(", ", options.subprotocols()));
        }
        URI current = uri;
        for (int redirects = 0; ; redirects++) {
            try {
                return connectOnce(current, headers, options);
            } catch (HandshakeException e) {
                if (!REDIRECTS.contains(e.status()) || options.maxRedirects() == 0) {
                    throw e;
                }
                if (redirects == options.maxRedirects()) {
                    throw new HandshakeException("gave up after " + redirects + " redirects: " + e.getMessage(),
                            e.status(), e.headers());
                }
                URI next = redirectTarget(current, e);
                // Credentials are for the host they were given for: none follow a redirect to another one.
                if (!authority(next).equals(authority(current))) {
                    headers = headers.without("Authorization").without("Cookie").without("Proxy-Authorization");
                }
                current = next;
            }
        }
    }

    /** Where a 3xx answer points, as a ws: or wss: URI; never from wss (or https) down to ws. */
    private static URI redirectTarget(URI from, HandshakeException answer) throws HandshakeException {
        String location = answer.headers().first("Location").orElseThrow(() -> new HandshakeException(
                "redirect without a Location: " + answer.getMessage(), answer.status(), answer.headers()));
        URI to;
        try {
            to = from.resolve(new URI(location));
        } catch (URISyntaxException e) {
            throw new HandshakeException("redirect to an invalid Location: " + location, answer.status(),
                    answer.headers());
        }
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
        String mapped = switch (scheme) {
            case "ws", "http" -> "ws";
            case "wss", "https" -> "wss";
            default -> throw new HandshakeException("redirect to a URI that is not ws, wss, http or https: "
                    + location, answer.status(), answer.headers());
        };
        if (Scheme.of(from).orElseThrow().isSecure() && mapped.equals("ws")) {
            throw new HandshakeException("refused a redirect from a secure connection to an insecure one: "
                    + location, answer.status(), answer.headers());
        }
        if (to.getRawAuthority() == null || to.getHost() == null) {
            throw new HandshakeException("redirect to a Location without a host: " + location, answer.status(),
                    answer.headers());
        }
        String path = to.getRawPath() == null || to.getRawPath().isEmpty() ? "/" : to.getRawPath();
        return URI.create(mapped + "://" + to.getRawAuthority() + path
                + (to.getRawQuery() == null ? "" : "?" + to.getRawQuery()));
    }

    private static String authority(URI uri) {
        Scheme scheme = Scheme.of(uri).orElseThrow();
        int port = uri.getPort() < 0 ? scheme.defaultPort() : uri.getPort();
        return uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }

    private static WebSocket connectOnce(URI uri, Headers headers, ClientOptions options) throws IOException {
        Scheme scheme = Scheme.of(uri).orElseThrow(
                () -> new IllegalArgumentException("not a ws: or wss: URI: " + uri));
        // RFC 6455 §3: "Fragment identifiers are meaningless in the context of WebSocket URIs and MUST NOT be used".
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a WebSocket URI has no fragment: " + uri);
        }
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("a WebSocket URI needs a host: " + uri);
        }
        int port = uri.getPort() < 0 ? scheme.defaultPort() : uri.getPort();
        String address = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        String hostHeader = port == scheme.defaultPort() ? host : host + ":" + port;
        // The request-target is ASCII: characters beyond it go as UTF-8, percent-encoded (RFC 3986 §2.5).
        URI ascii = URI.create(uri.toASCIIString());
        String path = ascii.getRawPath() == null || ascii.getRawPath().isEmpty() ? "/" : ascii.getRawPath();
        String target = ascii.getRawQuery() == null ? path : path + "?" + ascii.getRawQuery();
        if (uri.getRawUserInfo() != null && !headers.contains("Authorization")) {
            headers = headers.with("Authorization", basic(uri.getRawUserInfo()));
        }
        ClientOpening handshake = options.framing() == Framing.RFC6455
                ? new ClientHandshake(hostHeader, target, headers, MaskKeys.nonce(), options.compression())
                : new Hixie76Handshake.Client(hostHeader, target, headers, options.framing(), new SecureRandom());

        Limits limits = options.limits();
        Socket socket = open(scheme, host, address, port, options);
        Socket transport = socket;
        Deadline deadline = Deadline.after(limits.handshakeTimeout());
        HandshakeGuard guard = HandshakeGuard.start(socket, deadline);
        try {
            socket.setTcpNoDelay(true);
            if (scheme.isSecure()) {
                socket = startTls(socket, address, port, deadline, options);
            }
            OutputStream out = socket.getOutputStream();
            out.write(handshake.request());
            out.flush();
            ByteBuffer buffer = ByteBuffer.allocate(4096).limit(0);
            HttpParser.Head head;
            try {
                head = Heads.read(socket, new HttpParser(limits), buffer, deadline);
            } catch (HttpException e) {
                // A TLS server answers a plaintext request with an alert record (0x15) or a handshake (0x16).
                boolean tlsAnswer = !scheme.isSecure() && buffer.limit() > 0
                        && (buffer.get(0) == 0x15 || buffer.get(0) == 0x16);
                throw new HandshakeException(tlsAnswer ? "the server answered in TLS: connect with wss://"
                        : "invalid handshake response: " + e.getMessage(), 0, Headers.EMPTY);
            }
            try {
                handshake.verify(head);
            } catch (ExtensionMismatch e) {
                failWithMandatoryExtension(socket, e.getMessage());
                throw e;
            } catch (HandshakeException e) {
                throw withReason(e, socket, buffer, head, deadline);
            }
            handshake.verifyBody(Heads.readBody(socket, buffer, handshake.responseBodyLength(), deadline));
            Connection connection = new Connection(socket, handshake.protocol(limits, new MaskKeys(), ZlibPool.SHARED),
                    head.startLine(), head.headers(), head.headers().first("Sec-WebSocket-Protocol").orElse(null),
                    new Connection.Settings(limits, options.idleTimeout(), null, options.pingInterval(),
                            options.pongTimeout()));
            guard.done();
            connection.start(Heads.leftover(buffer));
            return connection;
        } catch (IOException e) {
            // The TCP socket, not the TLS one: closing TLS may wait for the server's close_notify.
            transport.close();
            if (guard.expired()) {
                SocketTimeoutException timeout = new SocketTimeoutException("opening handshake with " + host + ":"
                        + port + " timed out after " + limits.handshakeTimeout());
                timeout.initCause(e);
                throw timeout;
            }
            throw e;
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        } finally {
            guard.done();
        }
    }

    /**
     * A refusal with the first line of its plain-text body added, when it has a short one: servers (Duplex among
     * them) say there why they refused.
     */
    private static HandshakeException withReason(HandshakeException e, Socket socket, ByteBuffer buffer,
                                                 HttpParser.Head head, Deadline deadline) {
        int length;
        try {
            length = Integer.parseInt(head.headers().first("Content-Length").orElse("-1").strip());
        } catch (NumberFormatException nfe) {
            return e;
        }
        boolean text = head.headers().first("Content-Type").orElse("").startsWith("text/plain");
        if (e.status() < 300 || !text || length <= 0 || length > 1024) {
            return e;
        }
        try {
            String body = new String(Heads.readBody(socket, buffer, length, deadline), StandardCharsets.UTF_8);
            String reason = body.lines().findFirst().orElse("").strip();
            if (reason.isEmpty()) {
                return e;
            }
            HandshakeException detailed = new HandshakeException(e.getMessage() + ": " + reason, e.status(),
                    e.headers());
            detailed.initCause(e);
            return detailed;
        } catch (IOException | RuntimeException ignored) {
            return e;
        }
    }

    /**
     * RFC 6455 §4.1: the client must _Fail the WebSocket Connection_ when the server accepted an extension it did not
     * offer; the handshake is complete on the server's side, so the client says why in a Close (1010, Mandatory
     * Ext.), masked as a client's frames are, before closing.
     */
    private static void failWithMandatoryExtension(Socket socket, String reason) {
        try {
            byte[] text = ("extension: " + reason).getBytes(StandardCharsets.UTF_8);
            int length = 2 + Math.min(text.length, dev.duplex.CloseStatus.MAX_REASON_BYTES);
            byte[] payload = new byte[length];
            payload[0] = (byte) (1010 >> 8);
            payload[1] = (byte) 1010;
            System.arraycopy(text, 0, payload, 2, length - 2);
            int key = new MaskKeys().nextInt();
            byte[] frame = new byte[2 + 4 + length];
            int header = dev.duplex.protocol.FrameWriter.writeHeader(frame, 0, true, 0, 0x8, length, true, key);
            System.arraycopy(payload, 0, frame, header, length);
            dev.duplex.protocol.Masking.mask(frame, header, length, key, 0);
            socket.getOutputStream().write(frame);
            socket.getOutputStream().flush();
        } catch (IOException e) {
            // the connection is being dropped anyway
        }
    }

    /** RFC 7617 Basic credentials from a URI's user information ({@code user:password}, percent-decoded). */
    private static String basic(String rawUserInfo) {
        String userInfo = URLDecoder.decode(rawUserInfo.replace("+", "%2B"), StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    /** A connected socket to the server, directly or through the proxy the options choose. */
    private static Socket open(Scheme scheme, String host, String address, int port, ClientOptions options)
            throws IOException {
        int connectTimeout = (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
        Proxy proxy = Proxy.NO_PROXY;
        if (options.proxy() != null) {
            // Proxy selectors know http and https; a ws URI is selected as its HTTP twin.
            URI twin = URI.create((scheme.isSecure() ? "https://" : "http://") + host + ":" + port + "/");
            List<Proxy> proxies = options.proxy().select(twin);
            if (!proxies.isEmpty()) {
                proxy = proxies.getFirst();
            }
        }
        if (proxy.type() == Proxy.Type.HTTP) {
            return tunnel(proxy, host, port, connectTimeout, options.limits());
        }
        Socket socket = proxy.type() == Proxy.Type.SOCKS ? new Socket(proxy) : new Socket();
        try {
            socket.connect(proxy.type() == Proxy.Type.SOCKS ? InetSocketAddress.createUnresolved(address, port)
                    : new InetSocketAddress(address, port), connectTimeout);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** An HTTP proxy's CONNECT tunnel (RFC 9110 §9.3.6) to host:port. */
    private static Socket tunnel(Proxy proxy, String host, int port, int connectTimeout, Limits limits)
            throws IOException {
        InetSocketAddress at = (InetSocketAddress) proxy.address();
        if (at.isUnresolved()) {
            at = new InetSocketAddress(at.getHostString(), at.getPort());
        }
        Socket socket = new Socket();
        try {
            socket.connect(at, connectTimeout);
            String authority = host + ":" + port;
            OutputStream out = socket.getOutputStream();
            out.write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteBuffer buffer = ByteBuffer.allocate(4096).limit(0);
            HttpParser.Head head;
            try {
                head = Heads.read(socket, new HttpParser(limits), buffer, Deadline.after(limits.handshakeTimeout()));
            } catch (HttpException e) {
                throw new IOException("proxy " + at + " answered CONNECT with something that is not HTTP: "
                        + e.getMessage());
            }
            int status = ClientHandshake.statusCode(head.startLine());
            if (status < 200 || status > 299) {
                throw new IOException("proxy " + at + " refused to CONNECT to " + authority + ": "
                        + head.startLine());
            }
            if (buffer.hasRemaining()) {
                throw new IOException("proxy " + at + " sent bytes after its CONNECT answer");
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static boolean isIpLiteral(String host) {
        return host.contains(":") || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    private static Socket startTls(Socket socket, String host, int port, Deadline deadline, ClientOptions options)
            throws IOException {
        SSLSocketFactory factory = options.tls() != null ? options.tls().getSocketFactory()
                : (SSLSocketFactory) SSLSocketFactory.getDefault();
        SSLSocket tls = (SSLSocket) factory.createSocket(socket, host, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        // JSSE sends SNI by itself only for names with a dot; "localhost" and intranet names need it set.
        if (!isIpLiteral(host)) {
            try {
                parameters.setServerNames(List.of(new SNIHostName(host)));
            } catch (IllegalArgumentException e) {
                // not a name SNI can carry; the host name check still applies
            }
        }
        tls.setSSLParameters(parameters);
        tls.setSoTimeout(deadline.remainingMillis());
        try {
            tls.startHandshake();
        } catch (SSLException e) {
            tls.close();
            SSLHandshakeException failure = new SSLHandshakeException("TLS handshake with " + host + ":" + port
                    + " failed: " + e.getMessage());
            failure.initCause(e);
            throw failure;
        }
        return tls;
    }
}
