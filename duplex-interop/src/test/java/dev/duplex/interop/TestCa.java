package dev.duplex.interop;

import dev.duplex.Tls;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority made with the {@code openssl} command: a self-signed CA and one server
 * certificate signed by it for {@code DNS:localhost} and {@code IP:127.0.0.1}, as PEM files in a directory the
 * caller owns (and deletes). Every key is a fresh P-256 key, unencrypted; the certificates are valid for two days.
 *
 * <p>A missing {@code openssl} is an error, never a reason to skip: CI installs Debian's openssl package.
 *
 * @param caCertificate   the CA's certificate: what clients trust
 * @param certificate     the server's certificate (the leaf alone; the CA is the trust anchor)
 * @param privateKey      the server's private key, PKCS#8
 */
record TestCa(Path caCertificate, Path certificate, Path privateKey) {

    private static final long OPENSSL_TIMEOUT_SECONDS = 30;

    /** Makes a CA and a server certificate for localhost and 127.0.0.1 in {@code directory}. */
    static TestCa create(Path directory) throws IOException {
        Path caKey = directory.resolve("ca-key.pem");
        Path ca = directory.resolve("ca.pem");
        Path key = directory.resolve("server-key.pem");
        Path csr = directory.resolve("server.csr");
        Path cert = directory.resolve("server.pem");
        Path extensions = directory.resolve("server-ext.cnf");
        openssl(directory, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=Duplex interop test CA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl(directory, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=localhost");
        Files.writeString(extensions, """
                basicConstraints = critical,CA:FALSE
                keyUsage = critical,digitalSignature
                extendedKeyUsage = serverAuth
                subjectAltName = DNS:localhost,IP:127.0.0.1
                """, StandardCharsets.US_ASCII);
        openssl(directory, "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-set_serial", "0x" + Long.toHexString(System.nanoTime() & Long.MAX_VALUE),
                "-days", "2", "-extfile", extensions.toString(), "-out", cert.toString());
        return new TestCa(ca, cert, key);
    }

    /** A Duplex server context serving the server certificate. */
    SSLContext serverContext() throws IOException, GeneralSecurityException {
        return Tls.serverContext(certificate, privateKey);
    }

    /** A client context that trusts this CA and nothing else. */
    SSLContext clientContext() throws IOException, GeneralSecurityException {
        return Tls.trusting(caCertificate);
    }

    private static void openssl(Path directory, String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run openssl, which the TLS interop tests need to make their certificates "
                    + "(apt-get install openssl): " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
            // openssl prints a few lines at most; reading to the end also waits for it to exit.
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(OPENSSL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("openssl did not exit: " + String.join(" ", command));
            }
            if (process.exitValue() != 0) {
                throw new IOException("openssl failed with exit code " + process.exitValue() + ": "
                        + String.join(" ", command) + "\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running openssl", e);
        } finally {
            process.destroyForcibly();
        }
    }
}
