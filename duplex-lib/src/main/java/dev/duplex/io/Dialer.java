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
import dev.duplex.protocol.handshake.HttpException;
import dev.duplex.protocol.handshake.HttpParser;
import dev.duplex.protocol.legacy.Hixie76Handshake;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/** {@link WebSocket#connect}: TCP or TLS, then the client's opening handshake. */
public final class Dialer {

    private Dialer() {
    }

    public static WebSocket connect(URI uri, Headers headers, ClientOptions options) throws IOException {
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
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        ClientOpening handshake = options.framing() == Framing.RFC6455
                ? new ClientHandshake(hostHeader, target, headers, MaskKeys.nonce())
                : new Hixie76Handshake.Client(hostHeader, target, headers, options.framing(), new SecureRandom());

        Limits limits = options.limits();
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(address, port), (int) Math.min(Integer.MAX_VALUE,
                    options.connectTimeout().toMillis()));
            socket.setTcpNoDelay(true);
            Deadline deadline = Deadline.after(limits.handshakeTimeout());
            if (scheme.isSecure()) {
                socket = startTls(socket, address, port, deadline);
            }
            OutputStream out = socket.getOutputStream();
            out.write(handshake.request());
            out.flush();
            ByteBuffer buffer = ByteBuffer.allocate(4096).limit(0);
            HttpParser.Head head;
            try {
                head = Heads.read(socket, new HttpParser(limits), buffer, deadline);
            } catch (HttpException e) {
                throw new HandshakeException("invalid handshake response: " + e.getMessage(), 0, Headers.EMPTY);
            }
            handshake.verify(head);
            handshake.verifyBody(Heads.readBody(socket, buffer, handshake.responseBodyLength(), deadline));
            Connection connection = new Connection(socket, handshake.protocol(limits, new MaskKeys()),
                    head.startLine(), head.headers(), limits, options.idleTimeout(), null);
            connection.start(buffer.slice());
            return connection;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static Socket startTls(Socket socket, String host, int port, Deadline deadline) throws IOException {
        SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                .createSocket(socket, host, port, true);
        // JSSE already sends SNI for a host name given to createSocket; the host name must also match the certificate.
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.setSoTimeout(deadline.remainingMillis());
        tls.startHandshake();
        return tls;
    }
}
