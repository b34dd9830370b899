package dev.duplex.io;

import dev.duplex.CloseStatus;
import dev.duplex.Headers;
import dev.duplex.Limits;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketException;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.Protocol;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link WebSocket} over a blocking socket: a {@link Protocol}, two locks, a reader virtual thread and an
 * {@link Inbox}.
 *
 * <p>{@code protocolLock} guards the protocol object and is never held during I/O. {@code writeLock} orders bytes on
 * the wire: whoever holds it drains the protocol's output to the socket. Application sends block on it; the reader
 * thread only tries it, so that a pong or a Close it queued is written by the current writer when the socket is busy
 * instead of the reader blocking behind a large send (which could deadlock two peers that both send large messages
 * while neither reads).
 */
public final class Connection extends Timed implements WebSocket {

    private static final System.Logger LOG = System.getLogger("dev.duplex");
    private static final AtomicLong IDS = new AtomicLong();
    /** What an idle connection holds for reading; a read that fills it borrows a larger one (see ReadBuffers). */
    private static final int READ_BUFFER_SIZE = 2048;
    /** Output held back while the application still has received messages to answer, at most. */
    private static final int CORK_LIMIT = 16 * 1024;
    /** Frames this small are gathered into one write with their neighbours. */
    private static final int GATHER = 4 * 1024;
    /** How long output may be held back when the application does not come back to receive(). */
    private static final long CORK_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final byte[] NOTHING = new byte[0];
    private static final int CLOSE_NOTIFY_WAIT_MILLIS = 500;
    /** Clean ends of a peer-initiated close; other codes reach the application as a failure. */
    private static final int[] CLEAN_CODES = {1000, 1001, 1005};

    private final long id = IDS.incrementAndGet();
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Protocol protocol;
    private final String startLine;
    private final Headers headers;
    private final long closeTimeoutNanos;
    private final long idleTimeoutNanos;
    private final long expiresAt;
    private final ReentrantLock protocolLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Inbox inbox;
    private final CountDownLatch finished = new CountDownLatch(1);

    private final long sendTimeoutNanos;
    private final long pongTimeoutNanos;
    private final String subprotocol;
    /** 0 when there is no keepalive, or the framing has no ping. */
    private volatile long pingIntervalNanos;
    private volatile long lastActivity = System.nanoTime();
    private volatile long lastReceived = lastActivity;
    /** When the unanswered keepalive Ping went out, or 0. */
    private volatile long pingSentAt;
    /** When the close timeout runs out, or 0 while no Close has been sent. */
    private volatile long closeDeadline;
    /** When the write in progress started, or 0 when none is. */
    private volatile long writeStartedAt;
    /** Output held back (see send), guarded by the write lock; since when, or 0 when none is. */
    private byte[] corked = NOTHING;
    private int corkedSize;
    private volatile long corkedSince;
    private volatile boolean closing;
    private volatile boolean closedLocally;
    private volatile CloseStatus closeStatus;
    private final AtomicBoolean timerClosed = new AtomicBoolean();
    private volatile Thread reader;

    /**
     * @param maxLifetime a cap on the connection's life, or null for none
     */
    /**
     * What a connection needs to know of the server's or client's options.
     *
     * @param maxLifetime  a cap on the connection's life, or null for none
     * @param pingInterval a keepalive Ping after this long with nothing received, or null for none
     */
    public record Settings(Limits limits, Duration idleTimeout, Duration maxLifetime, Duration pingInterval,
                           Duration pongTimeout) {
    }

    /**
     * @param headers     the peer's handshake header fields
     * @param subprotocol the selected subprotocol, or null
     */
    public Connection(Socket socket, Protocol protocol, String startLine, Headers headers, String subprotocol,
                      Settings settings) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.protocol = protocol;
        this.startLine = startLine;
        this.headers = headers;
        this.subprotocol = subprotocol;
        Limits limits = settings.limits();
        this.closeTimeoutNanos = Inbox.nanos(limits.closeTimeout());
        this.idleTimeoutNanos = Inbox.nanos(settings.idleTimeout());
        this.expiresAt = settings.maxLifetime() == null ? 0 : System.nanoTime() + Inbox.nanos(settings.maxLifetime());
        this.sendTimeoutNanos = Inbox.nanos(limits.sendTimeout());
        this.pingIntervalNanos = settings.pingInterval() == null ? 0 : Inbox.nanos(settings.pingInterval());
        this.pongTimeoutNanos = Inbox.nanos(settings.pongTimeout());
        this.inbox = new Inbox(limits.inboxDepth());
    }

    /** Starts the reader thread, first handing it the bytes that followed the opening handshake. */
    public void start(ByteBuffer leftover) {
        reader = Thread.ofVirtual().name("duplex-read-" + id).start(() -> readLoop(leftover));
        Watchdog.schedule(this, System.nanoTime()); // the first look works out when the next is due
    }

    Inbox inbox() {
        return inbox;
    }

    // ---------------------------------------------------------------- the reader thread

    private void readLoop(ByteBuffer leftover) {
        try {
            if (leftover.hasRemaining()) {
                process(leftover);
            }
            byte[] own = new byte[READ_BUFFER_SIZE];
            boolean bulk = false;
            // No read timeout: the watchdog enforces every deadline, and closes the socket to end a blocked read.
            socket.setSoTimeout(0);
            while (!socket.isClosed()) {
                byte[] buffer = bulk ? ReadBuffers.take() : own;
                int n;
                try {
                    n = in.read(buffer);
                    if (n > 0) {
                        withProtocol(() -> protocol.receive(ByteBuffer.wrap(buffer, 0, n)));
                    }
                } finally {
                    if (buffer != own) {
                        ReadBuffers.give(buffer);
                    }
                }
                if (n < 0) {
                    withProtocol(protocol::receiveEof);
                    deliver(takeEvents());
                    break;
                }
                long now = System.nanoTime();
                lastActivity = now;
                lastReceived = now;
                bulk = n == buffer.length;
                afterReceive();
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                abort("connection lost: " + e.getMessage(), e);
            }
        } catch (InterruptedException e) {
            abort("reader interrupted", e);
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "duplex-read-" + id + " failed", e);
            abort("internal error: " + e, e);
        } finally {
            closeSocket();
            cancelTimer();
            withProtocol(protocol::release);
            endStream(new Inbox.End(CloseStatus.ABNORMAL_CLOSURE,
                    failure("connection closed without a closing handshake", CloseStatus.ABNORMAL_CLOSURE, null)));
            finished.countDown();
        }
    }

    private void process(ByteBuffer data) throws IOException, InterruptedException {
        withProtocol(() -> protocol.receive(data));
        afterReceive();
    }

    /** After the protocol has read bytes: write what it answered (pongs, Close) and deliver what it reported. */
    private void afterReceive() throws IOException, InterruptedException {
        List<Event> events = takeEvents();
        flush(false);
        deliver(events);
    }

    private List<Event> takeEvents() {
        List<Event> events = new ArrayList<>(4);
        protocolLock.lock();
        try {
            for (Event e; (e = protocol.nextEvent()) != null; ) {
                events.add(e);
            }
        } finally {
            protocolLock.unlock();
        }
        return events;
    }

    private void deliver(List<Event> events) throws IOException, InterruptedException {
        // Messages of one read go to the inbox together (see Inbox.putAll), and before any end that follows them.
        List<Message> burst = new ArrayList<>(events.size());
        for (Event event : events) {
            switch (event) {
                case Event.Received r -> burst.add(r.message());
                case Event.Ping p -> { } // the protocol has already queued the pong
                case Event.Pong p -> { }
                case Event.CloseReceived c -> {
                    putAll(burst);
                    closeStatus = c.status();
                    closing = true;
                    boolean clean = closedLocally || isCleanCode(c.status().code());
                    endStream(new Inbox.End(c.status(), clean ? null
                            : failure("peer closed the connection with " + c.status(), c.status(), null)));
                    answerClose();
                }
                case Event.Failed f -> {
                    putAll(burst);
                    closeStatus = f.status();
                    closing = true;
                    endStream(new Inbox.End(f.status(), failure(f.reason(), f.status(), null)));
                    answerClose();
                }
            }
        }
        putAll(burst);
    }

    private void putAll(List<Message> burst) throws InterruptedException {
        if (!burst.isEmpty()) {
            inbox.putAll(burst);
            burst.clear();
        }
    }

    private static boolean isCleanCode(int code) {
        for (int c : CLEAN_CODES) {
            if (c == code) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends the pending Close once the application has taken the messages that arrived before it, so that an echo
     * handler answers them first (the strict Autobahn outcomes), but no later than the close timeout.
     */
    private void answerClose() throws IOException, InterruptedException {
        boolean pending;
        protocolLock.lock();
        try {
            pending = protocol.hasPendingClose();
        } finally {
            protocolLock.unlock();
        }
        if (pending) {
            inbox.awaitDrained(closeTimeoutNanos);
            withProtocol(protocol::sendPendingClose);
            flush(false);
        }
        armCloseDeadline();
    }

    /**
     * The watchdog's look at this connection: does what is due and says when to look again (0: never, it is over).
     * Anything that might block runs on a thread of its own, so one stuck connection cannot hold up the others.
     */
    @Override
    long onTimer(long now) {
        if (finished.getCount() == 0) {
            return 0;
        }
        long writing = writeStartedAt;
        if (writing != 0 && now - (writing + sendTimeoutNanos) >= 0) {
            abortAsync("send timed out: the peer read nothing for " + Duration.ofNanos(sendTimeoutNanos));
            return 0;
        }
        long nextWriteCheck = (writing != 0 ? writing : now) + sendTimeoutNanos;
        long corkedAt = corkedSince;
        if (corkedAt != 0) {
            if (now - (corkedAt + CORK_DELAY_NANOS) >= 0) {
                Thread.ofVirtual().name("duplex-flush-" + id).start(() -> {
                    try {
                        flush(false);
                    } catch (IOException e) {
                        // abort() has recorded why
                    }
                });
                nextWriteCheck = earlier(nextWriteCheck, now + CORK_DELAY_NANOS);
            } else {
                nextWriteCheck = earlier(nextWriteCheck, corkedAt + CORK_DELAY_NANOS);
            }
        }
        long close = closeDeadline;
        if (close != 0) {
            if (now - close >= 0) {
                abortAsync("the peer did not finish the closing handshake within the close timeout");
                return 0;
            }
            return earlier(close, nextWriteCheck);
        }
        boolean expired = expiresAt != 0 && now - expiresAt >= 0;
        long idleAt = lastActivity + idleTimeoutNanos;
        if (expired || now - idleAt >= 0) {
            closeAsync(CloseStatus.GOING_AWAY.withReason(expired ? "connection lifetime exceeded" : "idle timeout"));
            return earlier(closeDeadline, nextWriteCheck);
        }
        long next = earlier(idleAt, nextWriteCheck);
        if (expiresAt != 0) {
            next = earlier(next, expiresAt);
        }
        return pingIntervalNanos == 0 ? next : earlier(next, keepalive(now));
    }

    /** Sends a keepalive Ping when nothing has been received for the interval; returns when to look again. */
    private long keepalive(long now) {
        long sent = pingSentAt;
        if (sent != 0 && lastReceived - sent > 0) {
            sent = pingSentAt = 0; // anything received since the Ping shows the peer is alive
        }
        if (sent != 0) {
            if (now - (sent + pongTimeoutNanos) >= 0) {
                // A dead peer is a failure, whether or not it still answers the Close that says so.
                String reason = "keepalive: no pong within " + Duration.ofNanos(pongTimeoutNanos);
                CloseStatus status = CloseStatus.INTERNAL_ERROR.withReason(reason);
                closeStatus = status;
                closing = true;
                endStream(new Inbox.End(status, failure(reason, status, null)));
                closeAsync(status);
                return closeDeadline;
            }
            return sent + pongTimeoutNanos;
        }
        long due = lastReceived + pingIntervalNanos;
        if (now - due < 0) {
            return due;
        }
        pingSentAt = now;
        Thread.ofVirtual().name("duplex-ping-" + id).start(() -> {
            try {
                ping(ByteBuffer.allocate(8).putLong(0, now));
            } catch (IllegalArgumentException e) {
                pingIntervalNanos = 0; // a legacy framing: there is no ping to send
            } catch (IOException e) {
                // the connection is closing or gone; the watchdog and the reader see to the rest
            }
        });
        return now + pongTimeoutNanos;
    }

    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    /** Starts the closing handshake for a deadline; the Close is written now if the socket is free, else queued. */
    private void closeAsync(CloseStatus status) {
        if (!timerClosed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        startClose(status);
        armCloseDeadline();
        Thread.ofVirtual().name("duplex-close-" + id).start(() -> {
            try {
                flush(false);
            } catch (IOException e) {
                // abort() has recorded why
            }
        });
    }

    /** Queues this side's Close (or the pending answer); a close this side starts ends the stream cleanly. */
    private void startClose(CloseStatus status) {
        protocolLock.lock();
        try {
            if (protocol.state() == Protocol.State.OPEN && !protocol.hasPendingClose()) {
                closedLocally = true;
            }
            protocol.close(status);
        } finally {
            protocolLock.unlock();
        }
    }

    private void abortAsync(String reason) {
        Thread.ofVirtual().name("duplex-abort-" + id).start(() -> abort(reason, null));
    }

    private void armCloseDeadline() {
        if (closeDeadline == 0) {
            long deadline = System.nanoTime() + closeTimeoutNanos;
            closeDeadline = deadline == 0 ? 1 : deadline;
            Watchdog.schedule(this, closeDeadline);
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes the protocol's output. With {@code block}, waits for the write lock; without, leaves the output to the
     * thread that holds it. Either way, output queued while the lock was held is not stranded: after unlocking,
     * whoever sees output left tries again.
     */
    private void flush(boolean block) throws IOException {
        do {
            if (block) {
                writeLock.lock();
            } else if (!writeLock.tryLock()) {
                return;
            }
            try {
                drain();
            } finally {
                writeLock.unlock();
            }
            block = false;
        } while (hasOutput());
    }

    private boolean hasOutput() {
        protocolLock.lock();
        try {
            return protocol.hasOutput();
        } finally {
            protocolLock.unlock();
        }
    }

    /** Writes everything the protocol has queued, after what was held back; the caller holds the write lock. */
    private void drain() throws IOException {
        drain(false);
    }

    /**
     * Writes the protocol's output, gathering small frames into one write. With {@code cork}, small output is held
     * back instead (up to {@link #CORK_LIMIT}): the application has more received messages waiting, so more answers
     * are about to follow, and one write can carry them all. Held-back output goes out with the next write that is
     * not corked, when the application next waits in {@code receive()}, or from the watchdog after
     * {@link #CORK_DELAY_NANOS}. The caller holds the write lock.
     */
    private void drain(boolean cork) throws IOException {
        while (true) {
            ByteBuffer b;
            boolean more;
            protocolLock.lock();
            try {
                b = protocol.nextOutput();
                more = protocol.hasOutput();
            } finally {
                protocolLock.unlock();
            }
            if (b == null) {
                break;
            }
            if (b == Protocol.END_OF_STREAM) {
                writeCorked();
                write(null, 0, 0);
            } else if (corkedSize == 0 && !more && !cork) {
                write(b); // the common case: one frame, nothing held back: no copy
            } else if (b.remaining() <= GATHER && corkedSize + b.remaining() <= CORK_LIMIT) {
                hold(b);
            } else {
                writeCorked();
                write(b);
            }
        }
        if (!cork) {
            writeCorked();
        } else if (corkedSize > 0 && corkedSince == 0) {
            long now = System.nanoTime();
            corkedSince = now == 0 ? 1 : now;
            Watchdog.schedule(this, now + CORK_DELAY_NANOS);
        }
    }

    private void hold(ByteBuffer b) {
        int n = b.remaining();
        if (corked.length < corkedSize + n) {
            corked = Arrays.copyOf(corked, Math.max(corkedSize + n, Math.min(CORK_LIMIT, Math.max(1024, 2 * corked.length))));
        }
        b.duplicate().get(corked, corkedSize, n);
        corkedSize += n;
    }

    private void writeCorked() throws IOException {
        if (corkedSize > 0) {
            int n = corkedSize;
            corkedSize = 0;
            corkedSince = 0;
            write(corked, 0, n);
        }
    }

    private void write(ByteBuffer b) throws IOException {
        if (b.hasArray()) {
            write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        } else {
            byte[] copy = new byte[b.remaining()];
            b.duplicate().get(copy);
            write(copy, 0, copy.length);
        }
    }

    /** One write to the socket, timed by the watchdog's send timeout; a null array means half-close. */
    private void write(byte[] bytes, int off, int len) throws IOException {
        writeStartedAt = System.nanoTime();
        try {
            if (bytes == null) {
                halfClose();
            } else {
                out.write(bytes, off, len);
            }
            writeStartedAt = 0;
            lastActivity = System.nanoTime();
        } catch (IOException e) {
            writeStartedAt = 0;
            Inbox.End ended = inbox.end();
            if (ended != null) {
                // The connection had already ended, and the watchdog or the peer said why: that is the reason.
                String why = ended.failure() != null ? ended.failure().getMessage()
                        : "the connection is closed (" + ended.status() + ")";
                abort(why, e);
                throw failure("cannot send: " + why, ended.status(), e);
            }
            abort("write failed: " + e.getMessage(), e);
            throw failure("write failed: " + e.getMessage(), CloseStatus.ABNORMAL_CLOSURE, e);
        }
    }

    /**
     * The server closes TCP first (RFC 6455 §7.1.1): half-close now, and let the reader drain what the peer still
     * sends until its end of stream, so that unread input does not turn the close into a reset that could destroy
     * the Close frame just sent.
     */
    private void halfClose() throws IOException {
        armCloseDeadline();
        out.flush();
        if (socket instanceof SSLSocket) {
            closeSocket(); // TLS has no half-close: close_notify and the socket go together
        } else if (!socket.isOutputShutdown()) {
            socket.shutdownOutput();
        }
    }

    // ---------------------------------------------------------------- the application's side

    @Override
    public void send(Message message) throws IOException {
        writeLock.lock();
        try {
            protocolLock.lock();
            try {
                requireOpen();
                protocol.send(message);
            } finally {
                protocolLock.unlock();
            }
            // More received messages waiting: this is a burst the application is answering; hold back.
            drain(inbox.hasWaiting());
        } finally {
            writeLock.unlock();
        }
        lastActivity = System.nanoTime();
        if (hasOutput()) {
            flush(false); // a pong or Close the reader queued while this thread held the socket
        }
    }

    /** Lets go of held-back output: the application is about to wait for a message. */
    private void flushCorked() throws IOException {
        if (corkedSince != 0) {
            flush(true);
        }
    }

    @Override
    public void ping(ByteBuffer payload) throws IOException {
        writeLock.lock();
        try {
            protocolLock.lock();
            try {
                requireOpen();
                protocol.ping(payload);
            } finally {
                protocolLock.unlock();
            }
            drain();
        } finally {
            writeLock.unlock();
        }
        flush(false);
    }

    private void requireOpen() throws WebSocketException {
        if (protocol.state() != Protocol.State.OPEN) {
            CloseStatus status = closeStatus != null ? closeStatus : CloseStatus.ABNORMAL_CLOSURE;
            throw failure("cannot send: the connection is closed (" + status + ")", status, null);
        }
    }

    @Override
    public Message receive() throws IOException {
        Message message;
        try {
            message = inbox.take(false);
            if (message == null && inbox.end() == null) {
                flushCorked();
                message = inbox.take(true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while receiving");
        }
        if (message != null) {
            return message;
        }
        WebSocketException failure = inbox.end().failure();
        if (failure == null) {
            return null;
        }
        // A fresh exception per call, so the stack trace is the caller's; the first one is its cause.
        throw failure(failure.getMessage(), failure.status(), failure);
    }

    @Override
    public void close(CloseStatus status) throws IOException {
        if (!status.isSendable()) {
            throw new IllegalArgumentException("close code " + status.code()
                    + " may not be sent; use 1000-1003, 1007-1014 or 3000-4999");
        }
        startClose(status);
        closing = true;
        inbox.closeLocally();
        armCloseDeadline();
        flushWithin(closeTimeoutNanos);
        awaitFinished();
    }

    /** Writes the queued Close, giving up (and dropping the connection) if a stuck send holds the socket too long. */
    private void flushWithin(long nanos) throws InterruptedIOException {
        try {
            if (!writeLock.tryLock(nanos, TimeUnit.NANOSECONDS)) {
                abort("a send blocked the closing handshake for longer than the close timeout", null);
                return;
            }
            try {
                drain();
            } finally {
                writeLock.unlock();
            }
            flush(false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while closing");
        } catch (IOException e) {
            // The connection is gone; abort() has recorded why.
        }
    }

    /** Waits for the reader to end: it does once the closing handshake is over or the close timeout has passed. */
    void awaitFinished() throws InterruptedIOException {
        if (Thread.currentThread() == reader) {
            return;
        }
        try {
            // The reader enforces the close deadline itself, unless it is stuck writing to a peer that reads nothing.
            if (!finished.await(closeTimeoutNanos + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS)) {
                abort("the peer did not finish the closing handshake within the close timeout", null);
                finished.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while closing");
        }
    }

    /** Drops the connection at once, without a closing handshake. */
    void abort(String reason, Throwable cause) {
        closing = true;
        if (closeStatus == null) {
            closeStatus = CloseStatus.ABNORMAL_CLOSURE;
        }
        endStream(new Inbox.End(CloseStatus.ABNORMAL_CLOSURE, failure(reason, CloseStatus.ABNORMAL_CLOSURE, cause)));
        inbox.closeLocally(); // a reader blocked on a full inbox must see that the connection is gone
        closeSocket();
    }

    private void endStream(Inbox.End end) {
        inbox.end(end);
    }

    private void closeSocket() {
        try {
            if (socket instanceof SSLSocket) {
                // JSSE's close may wait to read the peer's close_notify: never longer than a moment.
                socket.setSoTimeout(CLOSE_NOTIFY_WAIT_MILLIS);
            }
        } catch (IOException e) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    private void withProtocol(Runnable action) {
        protocolLock.lock();
        try {
            action.run();
        } finally {
            protocolLock.unlock();
        }
    }

    private static WebSocketException failure(String message, CloseStatus status, Throwable cause) {
        return new WebSocketException(message, status, cause);
    }

    @Override
    public String startLine() {
        return startLine;
    }

    @Override
    public Headers headers() {
        return headers;
    }

    @Override
    public SocketAddress remoteAddress() {
        return socket.getRemoteSocketAddress();
    }

    @Override
    public Optional<String> subprotocol() {
        return Optional.ofNullable(subprotocol);
    }

    @Override
    public boolean isClosed() {
        return closing;
    }

    @Override
    public Optional<CloseStatus> closeStatus() {
        return Optional.ofNullable(closeStatus);
    }

    @Override
    public String toString() {
        return "WebSocket#" + id + "[" + socket.getRemoteSocketAddress() + (closing ? ", closed]" : "]");
    }
}
