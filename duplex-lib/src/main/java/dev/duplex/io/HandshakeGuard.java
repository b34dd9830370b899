package dev.duplex.io;

import java.io.IOException;
import java.net.Socket;

/**
 * Bounds a whole opening handshake, TLS included, by one deadline. {@code SO_TIMEOUT} bounds each read, and JSSE's
 * handshake does many reads under one setting, so a peer trickling its TLS bytes could stretch it without end; the
 * guard closes the socket when the deadline passes and the handshake is not {@link #done()}.
 */
final class HandshakeGuard extends Timed {

    private final Socket socket;
    private final long deadline;
    private volatile boolean done;

    private HandshakeGuard(Socket socket, long deadline) {
        this.socket = socket;
        this.deadline = deadline;
    }

    /** Starts guarding {@code socket} until the deadline. */
    static HandshakeGuard start(Socket socket, Deadline deadline) {
        HandshakeGuard guard = new HandshakeGuard(socket, deadline.at());
        Watchdog.schedule(guard, deadline.at());
        return guard;
    }

    /** The handshake finished in time: the socket is the connection's now. */
    void done() {
        done = true;
        cancelTimer();
    }

    /** Whether the guard closed the socket. */
    boolean expired() {
        return !done && System.nanoTime() - deadline >= 0;
    }

    @Override
    long onTimer(long now) {
        if (done) {
            return 0;
        }
        if (now - deadline < 0) {
            return deadline;
        }
        // Closing an SSLSocket may try to send close_notify: not on the watchdog's thread.
        Thread.ofVirtual().name("duplex-handshake-timeout").start(() -> {
            try {
                socket.close();
            } catch (IOException e) {
                // gone either way
            }
        });
        return 0;
    }
}
