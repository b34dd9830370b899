package dev.duplex.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.SplittableRandom;

/**
 * One connection of the load generator: a non-blocking socket, the opening handshake, masked frames out, every
 * echo checked byte for byte on the way in, and the closing handshake. It runs on the generator's single selector
 * thread and tells its {@link Events} what happened.
 */
final class Connection implements FrameReader.Listener {

    /** What a connection tells the generator. */
    interface Events {
        void opened(Connection c);

        void echoed(Connection c);

        void closed(Connection c, Ending ending);
    }

    /** How a connection ended. */
    enum Ending {
        /** Both Close frames, then the server closed TCP. */
        CLEAN,
        /** Both Close frames, but the server kept TCP open past a second and the client closed it. */
        LINGERED,
        /** The server never answered the client's Close frame; dropped after {@link #UNANSWERED_NANOS}. */
        UNANSWERED
    }

    private static final long LINGER_NANOS = 1_000_000_000L;
    static final long UNANSWERED_NANOS = 5_000_000_000L;

    enum State { CONNECTING, HANDSHAKE, OPEN, CLOSE_SENT, CLOSE_RECEIVED, CLOSED }

    final int id;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final Payload payload;
    private final Events events;
    private final SplittableRandom random;
    private final FrameReader reader = new FrameReader();
    private final byte[] stamp = new byte[Payload.STAMP];
    private final ByteBuffer in;
    private final ByteBuffer out;
    private Handshake handshake;
    private State state = State.CONNECTING;
    private int interest;
    private long sent;
    private long received;
    private int position;
    private long closeDeadline;

    private Connection(int id, SocketChannel channel, Selector selector, Payload payload, int inFlight, Events events,
                       SplittableRandom random, String hostPort) throws IOException {
        this.id = id;
        this.channel = channel;
        this.payload = payload;
        this.events = events;
        this.random = random;
        this.in = ByteBuffer.allocate(Math.max(16 * 1024, Math.min(payload.size() * inFlight, 128 * 1024)));
        this.out = ByteBuffer.allocate(inFlight * ClientFrames.length(payload.size()) + 512);
        this.handshake = new Handshake(hostPort, random);
        this.interest = SelectionKey.OP_CONNECT;
        this.key = channel.register(selector, interest, this);
    }

    /** Starts connecting; the opening handshake follows by itself. */
    static Connection open(Selector selector, InetSocketAddress address, int id, Payload payload, int inFlight,
                           Events events, SplittableRandom random) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Connection c = new Connection(id, channel, selector, payload, inFlight, events, random,
                    address.getHostString() + ":" + address.getPort());
            if (channel.connect(address)) {
                c.connected();
            }
            return c;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    State state() {
        return state;
    }

    long sent() {
        return sent;
    }

    long received() {
        return received;
    }

    /** Runs what the selector found ready. */
    void ready() {
        try {
            if (key.isConnectable()) {
                channel.finishConnect();
                connected();
                return;
            }
            if (key.isReadable()) {
                read();
            }
            if (key.isValid() && key.isWritable()) {
                flush();
            }
        } catch (IOException e) {
            throw new Failure("connection " + id + " (" + state + "): " + e, e);
        }
    }

    private void connected() throws IOException {
        state = State.HANDSHAKE;
        out.put(handshake.request());
        flush();
    }

    private void read() throws IOException {
        int n = channel.read(in);
        if (n < 0) {
            endOfStream();
            return;
        }
        in.flip();
        try {
            if (state == State.HANDSHAKE) {
                if (!handshake.response(in)) {
                    return;
                }
                handshake = null;
                state = State.OPEN;
                events.opened(this);
            }
            reader.read(in, this);
        } finally {
            in.compact();
        }
        if (out.position() > 0 && state != State.CLOSED) {
            flush();
        }
    }

    private void endOfStream() throws IOException {
        if (state != State.CLOSE_RECEIVED) {
            throw new Failure("connection " + id + ": the server closed TCP in state " + state
                    + " after " + received + " of " + sent + " echoes");
        }
        finish(Ending.CLEAN);
    }

    private void finish(Ending ending) throws IOException {
        state = State.CLOSED;
        key.cancel();
        channel.close();
        events.closed(this, ending);
    }

    /** Queues the next message (call {@link #flush} after). */
    void send() {
        if (state != State.OPEN) {
            throw new IllegalStateException("connection " + id + " is " + state);
        }
        if (out.remaining() < ClientFrames.length(payload.size())) {
            throw new IllegalStateException("connection " + id + ": more messages in flight than its buffer holds");
        }
        ClientFrames.message(out, payload, id, sent++, random.nextInt());
    }

    /** Starts the closing handshake with 1000 (call {@link #flush} after). */
    void sendClose() {
        if (state != State.OPEN) {
            throw new IllegalStateException("connection " + id + " is " + state);
        }
        ClientFrames.close(out, random.nextInt());
        state = State.CLOSE_SENT;
        closeDeadline = System.nanoTime() + UNANSWERED_NANOS;
    }

    /** Writes what the socket takes now, and asks to be told when it takes more. */
    void flush() {
        try {
            out.flip();
            channel.write(out);
            out.compact();
        } catch (IOException e) {
            throw new Failure("connection " + id + " (" + state + "): " + e, e);
        }
        int wanted = state == State.CONNECTING ? SelectionKey.OP_CONNECT
                : out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
        if (wanted != interest) {
            interest = wanted;
            key.interestOps(wanted);
        }
    }

    /**
     * Ends a closing handshake that has waited too long, and says how it ended (or null if it may wait on). RFC 6455
     * §7.1.1: the client "SHOULD wait for the server to close the connection but MAY close the connection at any
     * time after sending and receiving a close message ... if it has not received a TCP close from the server in a
     * reasonable time period": a second here. A Close frame the server never answers is dropped after five.
     */
    Ending expire(long now) {
        boolean waiting = state == State.CLOSE_SENT || state == State.CLOSE_RECEIVED;
        if (!waiting || now - closeDeadline <= 0) {
            return null;
        }
        Ending ending = state == State.CLOSE_SENT ? Ending.UNANSWERED : Ending.LINGERED;
        try {
            finish(ending);
        } catch (IOException e) {
            throw new Failure("connection " + id + ": " + e, e);
        }
        return ending;
    }

    /** Drops the TCP connection without a closing handshake (after a failure). */
    void abort() {
        try {
            key.cancel();
            channel.close();
        } catch (IOException ignored) {
            // Already failing; nothing more to say.
        }
    }

    @Override
    public void data(byte[] array, int offset, int length) {
        if (received >= sent) {
            throw new Failure("connection " + id + ": the server sent a message that was never sent to it");
        }
        if (position == 0) {
            Payload.stamp(id, received, stamp);
        }
        if (!payload.matches(stamp, position, array, offset, length)) {
            throw new Failure("connection " + id + ": echo " + received + " differs from what was sent (at byte "
                    + position + " of " + payload.size() + ")");
        }
        position += length;
    }

    @Override
    public void endOfMessage(int opcode) {
        if (received >= sent) {
            throw new Failure("connection " + id + ": the server sent a message that was never sent to it");
        }
        int expected = payload.isBinary() ? ClientFrames.BINARY : ClientFrames.TEXT;
        if (opcode != expected || position != payload.size()) {
            throw new Failure("connection " + id + ": echo " + received + " came back as opcode " + opcode + " with "
                    + position + " bytes; sent opcode " + expected + " with " + payload.size());
        }
        received++;
        position = 0;
        events.echoed(this);
    }

    @Override
    public void control(int opcode, byte[] data, int length) {
        switch (opcode) {
            case ClientFrames.CLOSE -> {
                if (state != State.CLOSE_SENT) {
                    int code = length >= 2 ? ((data[0] & 0xff) << 8) | (data[1] & 0xff) : 1005;
                    throw new Failure("connection " + id + ": the server closed with " + code + " in state " + state);
                }
                state = State.CLOSE_RECEIVED;
                closeDeadline = System.nanoTime() + LINGER_NANOS;
            }
            case ClientFrames.PING -> {
                if (state == State.OPEN) {
                    ClientFrames.control(out, ClientFrames.PONG, data, length, random.nextInt());
                }
            }
            default -> { } // an unsolicited Pong is allowed and ignored (RFC 6455 §5.5.3)
        }
    }
}
