package dev.duplex;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * Builds the {@link SSLContext}s that {@link ServerOptions#withTls} and {@link ClientOptions#withTls} take, from the
 * files servers are usually given: a PKCS#12 keystore, or PEM certificates and a PEM private key (PKCS#8, or the
 * PKCS#1 "RSA PRIVATE KEY" and SEC1 "EC PRIVATE KEY" forms that OpenSSL writes; not encrypted).
 *
 * <p>Clients need none of this to reach servers with publicly trusted certificates: they use the JDK's trust store
 * and always verify the server's host name. {@link #trusting} makes a client context that trusts a private CA
 * instead. There is deliberately no way here to turn verification off.
 */
public final class Tls {

    private static final char[] NO_PASSWORD = new char[0];

    private Tls() {
    }

    /** A server context from a PKCS#12 keystore holding the private key and its certificate chain. */
    public static SSLContext serverContext(Path pkcs12, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pkcs12)) {
            store.load(in, password);
        }
        return serverContext(store, password);
    }

    /** A server context from a PEM certificate chain (the server's first) and its PEM private key. */
    public static SSLContext serverContext(Path certificateChain, Path privateKey)
            throws IOException, GeneralSecurityException {
        List<Certificate> chain = certificates(certificateChain);
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + certificateChain);
        }
        PrivateKey key = privateKey(Files.readString(privateKey, StandardCharsets.US_ASCII), privateKey);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", key, NO_PASSWORD, chain.toArray(Certificate[]::new));
        return serverContext(store, NO_PASSWORD);
    }

    private static SSLContext serverContext(KeyStore store, char[] password) throws GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    /** A client context that trusts the certificates in this PEM file (a private CA), and nothing else. */
    public static SSLContext trusting(Path caCertificates) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int i = 0;
        for (Certificate c : certificates(caCertificates)) {
            store.setCertificateEntry("ca-" + i++, c);
        }
        if (i == 0) {
            throw new GeneralSecurityException("no certificate in " + caCertificates);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certificates = factory.generateCertificates(in);
            return new ArrayList<>(certificates);
        }
    }

    static PrivateKey privateKey(String pem, Path source) throws GeneralSecurityException {
        if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new GeneralSecurityException(source + " holds an encrypted key; decrypt it first "
                    + "(openssl pkey -in key.pem -out plain.pem) or use a PKCS#12 keystore");
        }
        if (pem.contains("-----BEGIN PRIVATE KEY-----")) {
            return pkcs8(pemBody(pem, "PRIVATE KEY"), source);
        }
        if (pem.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            // PKCS#1 inside PKCS#8: AlgorithmIdentifier rsaEncryption with NULL parameters.
            byte[] algorithm = Der.sequence(Der.oid("2a864886f70d010101"), new byte[] {0x05, 0x00});
            return pkcs8(wrap(algorithm, pemBody(pem, "RSA PRIVATE KEY")), source);
        }
        if (pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
            // SEC1 inside PKCS#8: AlgorithmIdentifier id-ecPublicKey with the curve named in the SEC1 key's [0].
            byte[] sec1 = pemBody(pem, "EC PRIVATE KEY");
            byte[] curve = Der.ecCurve(sec1);
            byte[] algorithm = Der.sequence(Der.oid("2a8648ce3d0201"), curve);
            return pkcs8(wrap(algorithm, sec1), source);
        }
        throw new GeneralSecurityException("no PEM private key in " + source);
    }

    private static byte[] wrap(byte[] algorithm, byte[] key) {
        return Der.sequence(new byte[] {0x02, 0x01, 0x00}, algorithm, Der.octetString(key));
    }

    private static PrivateKey pkcs8(byte[] der, Path source) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("unsupported private key in " + source);
    }

    private static byte[] pemBody(String pem, String label) throws GeneralSecurityException {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end, from);
        if (from < 0 || to < 0) {
            throw new GeneralSecurityException("malformed PEM: no " + end);
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("malformed PEM " + label + ": " + e.getMessage(), e);
        }
    }

    /** Just enough DER to wrap a key in PKCS#8. */
    private static final class Der {

        static byte[] sequence(byte[]... parts) {
            return tlv(0x30, concat(parts));
        }

        static byte[] octetString(byte[] content) {
            return tlv(0x04, content);
        }

        static byte[] oid(String hex) {
            return tlv(0x06, java.util.HexFormat.of().parseHex(hex));
        }

        /** The namedCurve OID in a SEC1 ECPrivateKey's [0] parameters. */
        static byte[] ecCurve(byte[] sec1) throws GeneralSecurityException {
            ByteArrayInputStream in = new ByteArrayInputStream(sec1);
            if (in.read() != 0x30) {
                throw new GeneralSecurityException("malformed EC private key");
            }
            length(in);
            while (in.available() > 0) {
                int tag = in.read();
                int len = length(in);
                byte[] content = new byte[len];
                if (in.read(content, 0, len) != len) {
                    throw new GeneralSecurityException("malformed EC private key");
                }
                if (tag == 0xA0) {
                    return content; // the OID, tag and length included
                }
            }
            throw new GeneralSecurityException("EC private key without its curve; use PKCS#8");
        }

        private static int length(ByteArrayInputStream in) throws GeneralSecurityException {
            int first = in.read();
            if (first < 0x80) {
                return first;
            }
            int n = first & 0x7F;
            if (n > 3) {
                throw new GeneralSecurityException("malformed DER length");
            }
            int len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | in.read();
            }
            return len;
        }

        private static byte[] tlv(int tag, byte[] content) {
            int len = content.length;
            byte[] header;
            if (len < 0x80) {
                header = new byte[] {(byte) tag, (byte) len};
            } else if (len < 0x100) {
                header = new byte[] {(byte) tag, (byte) 0x81, (byte) len};
            } else if (len < 0x10000) {
                header = new byte[] {(byte) tag, (byte) 0x82, (byte) (len >> 8), (byte) len};
            } else {
                header = new byte[] {(byte) tag, (byte) 0x83, (byte) (len >> 16), (byte) (len >> 8), (byte) len};
            }
            return concat(header, content);
        }

        private static byte[] concat(byte[]... parts) {
            int n = 0;
            for (byte[] p : parts) {
                n += p.length;
            }
            byte[] out = new byte[n];
            int at = 0;
            for (byte[] p : parts) {
                System.arraycopy(p, 0, out, at, p.length);
                at += p.length;
            }
            return out;
        }
    }
}
