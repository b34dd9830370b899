package dev.duplex.io;

import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.duplex.io.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile clients made of raw sockets, shared by the tests that aim them at our server ({@link HostileInputTest},
 * {@link AttacksTest}, {@link SlowPeersTest}). Each one checks the server's answer and that the server then ends
 * the connection within {@code endWithin}.
 */
final class RawAttacks {

    private RawAttacks() {
    }

    /** Opens a connection, writes {@code bytes}, and expects a Close with {@code code} and then the end of stream. */
    static RawFrame expectCloseAfter(int port, int code, Duration endWithin, byte[]... bytes) throws IOException {
        try (RawClient raw = RawClient.open(port)) {
            raw.write(bytes);
            return expectClose(raw, code, endWithin);
        }
    }

    /** Reads the server's Close, checks its code, and expects the end of stream after it. */
    static RawFrame expectClose(RawEndpoint raw, int code, Duration endWithin) throws IOException {
        RawFrame close = raw.readFrame();
        assertThat(close.opcode()).as("the server's answer: %s", close).isEqualTo(RawFrame.CLOSE);
        assertThat(close.closeCode()).as("close code (reason: %s)", close.closeReason()).isEqualTo(code);
        // Nothing follows a Close, and the server closes TCP first (RFC 6455 §7.1.1).
        raw.expectEndOfStream(endWithin);
        return close;
    }

    /**
     * Writes an oversized head on another thread while reading the answer on this one: the server answers as soon
     * as a limit is crossed, possibly long before the head has been written.
     */
    static void refusedWhileWriting(int port, int status, Duration endWithin, byte[]... head) throws Exception {
        try (RawClient raw = RawClient.connect(port)) {
            FutureTask<Void> writing = Loopback.inBackground(() -> {
                try {
                    raw.write(head);
                } catch (IOException e) {
                    // The server may stop reading once it has answered; the answer is what counts.
                }
                return null;
            });
            RawEndpoint.HttpHead response = raw.readHttp();
            assertThat(response.status()).as(response.startLine()).isEqualTo(status);
            raw.expectEndOfStream(endWithin);
            writing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** A request head with {@code count} extra header fields ({@code X-Header-<i>: <i>}). */
    static byte[] requestWithHeaders(int count) {
        StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 0; i < count; i++) {
            sb.append("X-Header-").append(i).append(": ").append(i).append("\r\n");
        }
        return ascii(sb.append("\r\n").toString());
    }

    /**
     * A text message that never ends: a first frame and then continuation frames of {@code frameSize} bytes each,
     * until the server's Close arrives, at most {@code maxFrames} of them. With data the message-size limit is
     * crossed first; with empty or tiny frames the fragment limit. Either way the answer is 1009 (Message Too Big).
     *
     * @return the server's Close
     */
    static RawFrame endlessContinuations(int port, int frameSize, int maxFrames, Duration endWithin)
            throws Exception {
        byte[] payload = new byte[frameSize];
        Arrays.fill(payload, (byte) 'x');
        try (RawClient raw = RawClient.open(port)) {
            AtomicBoolean stop = new AtomicBoolean();
            FutureTask<Integer> writing = Loopback.inBackground(() -> {
                int sent = 0;
                try {
                    raw.send(RawFrame.text(false, payload));
                    RawFrame[] batch = new RawFrame[16];
                    Arrays.fill(batch, RawFrame.continuation(false, payload));
                    for (; sent < maxFrames && !stop.get(); sent += batch.length) {
                        raw.send(batch);
                    }
                } catch (IOException e) {
                    // The server stopped reading after its Close; that is the point.
                }
                return sent;
            });
            RawFrame close;
            try {
                raw.setReadTimeout(WAIT);
                close = raw.readFrame();
                assertThat(close.opcode()).isEqualTo(RawFrame.CLOSE);
                assertThat(close.closeCode()).as("close code (reason: %s)", close.closeReason()).isEqualTo(1009);
            } finally {
                stop.set(true);
                writing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            raw.expectEndOfStream(endWithin);
            return close;
        }
    }

    /**
     * Slowloris: writes {@code bytes} {@code chunk} at a time with {@code pause} between the writes (the pause doubles
     * as the check whether the server has hung up), and expects the server to hang up before they run out.
     *
     * @return how long the server let it go on
     */
    static Duration trickleUntilHungUp(int port, byte[] bytes, int chunk, Duration pause) throws IOException {
        long start = System.nanoTime();
        try (RawClient raw = RawClient.connect(port)) {
            boolean hungUp = false;
            for (int i = 0; i < bytes.length && !hungUp; i += chunk) {
                try {
                    raw.write(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chunk)));
                    hungUp = raw.hangsUpWithin(pause);
                } catch (SocketException e) {
                    hungUp = true; // reset: the server closed the socket under a write
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(hungUp).as("the server hung up on bytes trickling for %s", took).isTrue();
            return took;
        }
    }

    static Integer mask() {
        return ThreadLocalRandom.current().nextInt();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
