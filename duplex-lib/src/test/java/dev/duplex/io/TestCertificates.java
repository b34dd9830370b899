package dev.duplex.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for TLS tests, made at run time into a directory: a private test CA, server certificates it signed
 * for {@code localhost} and {@code 127.0.0.1} in every key form a server is usually given, and the bad certificates
 * a client must refuse (another host's, an expired one, a self-signed one).
 *
 * <p>{@link #create} runs the {@code openssl} command (OpenSSL 3) and the JDK's own {@code keytool}, and throws an
 * {@link IOException} saying so when {@code openssl} is missing or fails: a test that needs certificates fails rather
 * than skips. It depends on nothing but the JDK, so other test suites may copy it as it is. It takes about a second
 * (two 2048-bit RSA keys).
 *
 * <p>Every RSA certificate but the CA's shares one RSA key, {@link #rsaKey}: a test picks the certificate that gives
 * the failure it wants and serves it with that key.
 *
 * @param directory             where the files are
 * @param ca                    the test CA's certificate, PEM: what a client trusts
 * @param caKey                 the test CA's private key, PKCS#8 PEM
 * @param rsaCertificate        a server certificate for DNS:localhost and IP:127.0.0.1, signed by the CA, PEM
 * @param rsaKey                the RSA key of every RSA server certificate here, PKCS#8 ({@code PRIVATE KEY}) PEM
 * @param rsaPkcs1Key           the same RSA key as PKCS#1 ({@code RSA PRIVATE KEY}) PEM
 * @param ecCertificate         a server certificate for DNS:localhost and IP:127.0.0.1 with a P-256 key, signed by
 *                              the CA, PEM
 * @param ecKey                 its key as SEC1 ({@code EC PRIVATE KEY}) PEM
 * @param pkcs12                a PKCS#12 keystore holding {@link #rsaKey}, {@link #rsaCertificate} and the CA's
 *                              certificate, with password {@link #PASSWORD}
 * @param wrongHostCertificate  a certificate signed by the CA for DNS:other.test only, PEM
 * @param expiredCertificate    a certificate signed by the CA for localhost and 127.0.0.1 that expired 28 days ago
 * @param selfSignedCertificate a self-signed certificate for localhost and 127.0.0.1, PEM
 * @param encryptedKey          {@link #rsaKey} encrypted as PKCS#8 ({@code ENCRYPTED PRIVATE KEY}), password
 *                              {@link #PASSWORD}
 * @param encryptedPkcs1Key     {@link #rsaKey} as PKCS#1 encrypted the traditional OpenSSL way ({@code Proc-Type:
 *                              4,ENCRYPTED}), password {@link #PASSWORD}
 */
public record TestCertificates(
        Path directory,
        Path ca,
        Path caKey,
        Path rsaCertificate,
        Path rsaKey,
        Path rsaPkcs1Key,
        Path ecCertificate,
        Path ecKey,
        Path pkcs12,
        Path wrongHostCertificate,
        Path expiredCertificate,
        Path selfSignedCertificate,
        Path encryptedKey,
        Path encryptedPkcs1Key) {

    /** The password of {@link #pkcs12} and of the encrypted keys. */
    public static final String PASSWORD = "changeit";

    private static final long COMMAND_TIMEOUT_SECONDS = 60;

    /** OpenSSL configuration: no dependency on the system's openssl.cnf, one extension section per kind. */
    private static final String CONFIG = """
            [req]
            distinguished_name = dn
            [dn]
            [ca]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            [server_rsa]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:localhost, IP:127.0.0.1
            [server_ec]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:localhost, IP:127.0.0.1
            [wrong_host]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:other.test
            """;

    /** Makes every file in {@code directory}, which must exist. */
    public static TestCertificates create(Path directory) throws IOException {
        Path config = Files.writeString(directory.resolve("openssl.cnf"), CONFIG);
        TestCertificates c = new TestCertificates(directory,
                directory.resolve("ca.pem"), directory.resolve("ca.key"),
                directory.resolve("rsa.pem"), directory.resolve("rsa.key"), directory.resolve("rsa-pkcs1.key"),
                directory.resolve("ec.pem"), directory.resolve("ec.key"),
                directory.resolve("server.p12"),
                directory.resolve("wrong-host.pem"), directory.resolve("expired.pem"),
                directory.resolve("self-signed.pem"),
                directory.resolve("protected.key"), directory.resolve("protected-pkcs1.key"));
        String cnf = config.toString();

        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", c.caKey + "");
        openssl("req", "-new", "-x509", "-key", c.caKey + "", "-subj", "/CN=Duplex Test CA", "-days", "3650",
                "-config", cnf, "-extensions", "ca", "-out", c.ca + "");

        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", c.rsaKey + "");
        openssl("rsa", "-in", c.rsaKey + "", "-traditional", "-out", c.rsaPkcs1Key + "");
        Path rsaRequest = directory.resolve("rsa.csr");
        openssl("req", "-new", "-key", c.rsaKey + "", "-subj", "/CN=localhost", "-config", cnf,
                "-out", rsaRequest + "");
        sign(c, rsaRequest, "server_rsa", 2, c.rsaCertificate, cnf);

        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", c.ecKey + "");
        Path ecRequest = directory.resolve("ec.csr");
        openssl("req", "-new", "-key", c.ecKey + "", "-subj", "/CN=localhost", "-config", cnf,
                "-out", ecRequest + "");
        sign(c, ecRequest, "server_ec", 3, c.ecCertificate, cnf);

        Path otherRequest = directory.resolve("other.csr");
        openssl("req", "-new", "-key", c.rsaKey + "", "-subj", "/CN=other.test", "-config", cnf,
                "-out", otherRequest + "");
        sign(c, otherRequest, "wrong_host", 4, c.wrongHostCertificate, cnf);

        openssl("req", "-new", "-x509", "-key", c.rsaKey + "", "-subj", "/CN=localhost", "-days", "825",
                "-config", cnf, "-extensions", "server_rsa", "-out", c.selfSignedCertificate + "");

        openssl("pkcs12", "-export", "-in", c.rsaCertificate + "", "-inkey", c.rsaKey + "",
                "-certfile", c.ca + "", "-name", "server", "-passout", "pass:" + PASSWORD, "-out", c.pkcs12 + "");

        // OpenSSL 3.0's x509 command cannot back-date a certificate; keytool can, given the CA in a keystore.
        Path caStore = directory.resolve("ca.p12");
        openssl("pkcs12", "-export", "-in", c.ca + "", "-inkey", c.caKey + "", "-name", "ca",
                "-passout", "pass:" + PASSWORD, "-out", caStore + "");
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-gencert", "-keystore", caStore + "", "-storetype", "PKCS12", "-storepass", PASSWORD,
                "-alias", "ca", "-infile", rsaRequest + "", "-outfile", c.expiredCertificate + "", "-rfc",
                "-startdate", "-30d", "-validity", "2",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth"));

        openssl("pkcs8", "-topk8", "-in", c.rsaKey + "", "-passout", "pass:" + PASSWORD,
                "-out", c.encryptedKey + "");
        openssl("rsa", "-in", c.rsaKey + "", "-traditional", "-aes128", "-passout", "pass:" + PASSWORD,
                "-out", c.encryptedPkcs1Key + "");
        return c;
    }

    private static void sign(TestCertificates c, Path request, String extensions, int serial, Path out, String cnf)
            throws IOException {
        openssl("x509", "-req", "-in", request + "", "-CA", c.ca + "", "-CAkey", c.caKey + "",
                "-set_serial", Integer.toString(serial), "-days", "825", "-extfile", cnf,
                "-extensions", extensions, "-out", out + "");
    }

    private static void openssl(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(arguments));
        run(command);
    }

    /** Runs a command to its end, failing with its output when it fails or takes longer than a minute. */
    private static void run(List<String> command) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + command.getFirst() + " (the TLS tests need the openssl command "
                    + "on the PATH and the JDK's keytool): " + e.getMessage(), e);
        }
        process.getOutputStream().close();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().name("test-certificates-output").start(() -> {
            try (InputStream in = process.getInputStream()) {
                in.transferTo(output);
            } catch (IOException e) {
                // the process is gone; what was read is kept
            }
        });
        try {
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within "
                        + COMMAND_TIMEOUT_SECONDS + " s");
            }
            drain.join(TimeUnit.SECONDS.toMillis(COMMAND_TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while running " + command.getFirst());
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit status " + process.exitValue()
                    + ":\n" + output.toString(StandardCharsets.UTF_8));
        }
    }
}
