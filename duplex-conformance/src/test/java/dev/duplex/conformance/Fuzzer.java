package dev.duplex.conformance;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * The suite's end of one case's connection, either part: Autobahn's fuzzing client (against Duplex's server) or
 * fuzzing server (against Duplex's client). Cases send exact frames through it and read what the peer does; it
 * records the peer's messages, pings and pongs as {@link Observed} events, answers pings and Close frames as a
 * correct endpoint would, and keeps the facts Autobahn judges the closing by: who closed first, whether the
 * handshake was clean, which codes went each way.
 *
 * <p>Frames from the peer are checked as Autobahn checks them (masking by role, reserved bits and opcodes, control
 * frame rules, fragmentation order, UTF-8 of text and close reasons, close codes); a violation fails the connection
 * and the case.
 *
 * <p>Not thread-safe: one case runs on one thread. Every read has a deadline.
 */
final class Fuzzer implements AutoCloseable {

    /** The part the suite plays. */
    enum Part { CLIENT, SERVER }

    /** How long the suite waits for the end of a closing handshake the peer owes it. */
    static final Duration CLOSING = Duration.ofSeconds(6);

    private final Part part;
    private final Wire wire;
    private final Deflate deflate;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final List<Observed> received = new ArrayList<>();

    private int messageOpcode = -1;
    private boolean messageCompressed;
    private ByteArrayOutputStream message;

    private boolean sentClose;
    private boolean receivedClose;
    private boolean closedByMe;
    private boolean droppedByMe;
    private boolean serverDroppedTcp;
    private boolean killed;
    private Integer localCloseCode;
    private Integer remoteCloseCode;
    private String violation;
    private String handshakeProblem;
    private Case.Behavior scripted;
    private String scriptedResult;

    /** @param agreement the permessage-deflate agreement of the opening handshake, or null for none */
    Fuzzer(Part part, Wire wire, Deflate.Agreement agreement) {
        this.part = part;
        this.wire = wire;
        this.deflate = agreement == null ? null : new Deflate(agreement, part == Part.SERVER);
    }

    // ---------------------------------------------------------------- sending

    /** Queues a frame; queued frames leave together at the next flush, wait or sync. */
    void send(Frame frame) {
        pending.writeBytes(encode(frame));
    }

    /** Autobahn's {@code sync=True}: the frame leaves now, in a write of its own. */
    void sendSync(Frame frame) throws IOException {
        flush();
        wire.write(encode(frame));
    }

    /** Autobahn's {@code chopsize}: the frame leaves now, in writes of {@code chop} bytes. */
    void sendChopped(Frame frame, int chop) throws IOException {
        flush();
        wire.writeChopped(encode(frame), chop);
    }

    /** Writes bytes already encoded (a frame sent in parts), after what is queued. */
    void sendRaw(byte[] bytes) throws IOException {
        flush();
        wire.write(bytes);
    }

    /**
     * Autobahn's {@code sendMessage}: a whole message, compressed when permessage-deflate was agreed, in frames of
     * {@code fragmentSize} payload bytes (0: one frame); it leaves at once.
     */
    void sendMessage(boolean binary, byte[] payload, int fragmentSize) throws IOException {
        boolean compressed = deflate != null;
        byte[] data = compressed ? deflate.compress(payload) : payload;
        int opcode = binary ? Frame.BINARY : Frame.TEXT;
        if (fragmentSize <= 0 || data.length <= fragmentSize) {
            send(new Frame(true, compressed ? 0b100 : 0, opcode, data));
        } else {
            for (int i = 0; i < data.length; i += fragmentSize) {
                int n = Math.min(fragmentSize, data.length - i);
                byte[] part = new byte[n];
                System.arraycopy(data, i, part, 0, n);
                send(new Frame(i + n == data.length, i == 0 && compressed ? 0b100 : 0,
                        i == 0 ? opcode : Frame.CONTINUATION, part));
            }
        }
        flush();
    }

    /** Sends a Close with this code (null: an empty Close) and reason. */
    void sendClose(Integer code, byte[] reason) throws IOException {
        sendClosePayload(code == null ? new byte[0] : Frame.close(code, reason).payload());
    }

    void sendClose(Integer code) throws IOException {
        sendClose(code, new byte[0]);
    }

    /** Sends a Close frame with exactly this payload, valid or not. */
    void sendClosePayload(byte[] payload) throws IOException {
        if (!sentClose) {
            closedByMe = !receivedClose;
            localCloseCode = payload.length >= 2 ? (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF) : null;
        }
        sentClose = true;
        sendSync(Frame.of(Frame.CLOSE, payload));
    }

    /** Writes what is queued. */
    void flush() throws IOException {
        if (pending.size() > 0) {
            byte[] bytes = pending.toByteArray();
            pending.reset();
            wire.write(bytes);
        }
    }

    /** The frame on the wire: masked with a fresh key by a client, as RFC 6455 §5.3 wants. */
    byte[] encode(Frame frame) {
        return frame.encode(part == Part.CLIENT ? ThreadLocalRandom.current().nextInt() : null);
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Reads what the peer sends until {@code done} holds, the peer has ended (its Close, its end of stream, or a
     * violation), or {@code limit} has passed.
     *
     * @return whether {@code done} holds
     */
    boolean readUntil(BooleanSupplier done, Duration limit) throws IOException {
        flush();
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean() && !peerEnded()) {
            Optional<Wire.Received> frame;
            try {
                frame = wire.readFrame(deadline);
            } catch (EOFException e) {
                continue; // atEof() now ends the loop
            }
            if (frame.isEmpty()) {
                break;
            }
            process(frame.get());
        }
        return done.getAsBoolean();
    }

    /** Waits up to {@code limit} for the next message the peer sends, and returns it (empty if none came). */
    Optional<Observed.Message> awaitMessage(Duration limit) throws IOException {
        int before = received.size();
        readUntil(() -> received.subList(before, received.size()).stream().anyMatch(Observed.Message.class::isInstance),
                limit);
        return received.subList(before, received.size()).stream().filter(Observed.Message.class::isInstance)
                .map(Observed.Message.class::cast).findFirst();
    }

    /**
     * Autobahn's {@code continueLater}: waits {@code limit} for the peer to react (to end the connection, say);
     * returns whether it is still open, with nothing ended, when the time is up.
     */
    boolean staysOpenFor(Duration limit) throws IOException {
        readUntil(() -> false, limit);
        return !peerEnded();
    }

    /** Whether the peer has ended: its Close arrived, its stream ended, or it broke the protocol. */
    boolean peerEnded() {
        return receivedClose || violation != null || killed || wire.atEof() || wire.isClosed();
    }

    private void process(Wire.Received f) throws IOException {
        String problem = check(f);
        if (problem != null) {
            fail(problem, problem.startsWith("invalid UTF-8") ? 1007 : 1002);
            return;
        }
        switch (f.opcode()) {
            case Frame.PING -> {
                received.add(new Observed.Ping(f.payload()));
                if (!sentClose) {
                    sendSync(Frame.of(Frame.PONG, f.payload()));
                }
            }
            case Frame.PONG -> received.add(new Observed.Pong(f.payload()));
            case Frame.CLOSE -> closeReceived(f.payload());
            default -> dataFrame(f);
        }
    }

    /** Autobahn's checks of the peer's frames; null when the frame is fine. */
    private String check(Wire.Received f) {
        if (f.masked() != (part == Part.SERVER)) {
            return part == Part.SERVER ? "the client sent an unmasked frame" : "the server sent a masked frame";
        }
        int op = f.opcode();
        boolean known = op == Frame.CONTINUATION || op == Frame.TEXT || op == Frame.BINARY || op == Frame.CLOSE
                || op == Frame.PING || op == Frame.PONG;
        if (!known) {
            return "the peer sent reserved opcode " + op;
        }
        boolean control = op >= 8;
        boolean rsv1Allowed = deflate != null && (op == Frame.TEXT || op == Frame.BINARY);
        if (f.rsv() != 0 && !(f.rsv() == 0b100 && rsv1Allowed)) {
            return "the peer set reserved bits " + f.rsv() + " on opcode " + op;
        }
        if (control && (!f.fin() || f.payload().length > 125)) {
            return "the peer sent a fragmented or oversized control frame";
        }
        if (op == Frame.CONTINUATION && messageOpcode < 0) {
            return "the peer sent a continuation frame with no message to continue";
        }
        if ((op == Frame.TEXT || op == Frame.BINARY) && messageOpcode >= 0) {
            return "the peer started a message inside another";
        }
        return null;
    }

    private void dataFrame(Wire.Received f) throws IOException {
        if (f.opcode() != Frame.CONTINUATION) {
            messageOpcode = f.opcode();
            messageCompressed = f.rsv() == 0b100;
            message = new ByteArrayOutputStream(Math.max(32, f.payload().length));
        }
        message.writeBytes(f.payload());
        if (!f.fin()) {
            return;
        }
        byte[] payload = message.toByteArray();
        boolean binary = messageOpcode == Frame.BINARY;
        boolean compressed = messageCompressed;
        messageOpcode = -1;
        message = null;
        if (compressed) {
            try {
                payload = deflate.decompress(payload);
            } catch (IllegalArgumentException e) {
                fail("the peer sent a bad compressed message: " + e.getMessage(), 1007);
                return;
            }
        }
        if (!binary && !isUtf8(payload, 0, payload.length)) {
            fail("invalid UTF-8 in a text message from the peer", 1007);
            return;
        }
        received.add(new Observed.Message(binary, payload));
    }

    private void closeReceived(byte[] payload) throws IOException {
        if (payload.length == 1) {
            fail("the peer sent a Close with a 1-byte payload", 1002);
            return;
        }
        Integer code = null;
        if (payload.length >= 2) {
            code = (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF);
            boolean valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
                    || (code >= 3000 && code <= 4999);
            if (!valid) {
                fail("the peer sent Close code " + code + ", which may not be sent", 1002);
                return;
            }
            if (!isUtf8(payload, 2, payload.length - 2)) {
                fail("invalid UTF-8 in the peer's close reason", 1007);
                return;
            }
        }
        receivedClose = true;
        remoteCloseCode = code;
        if (!sentClose) {
            // As Autobahn does: the reply echoes the peer's code.
            sendClose(code);
        }
    }

    /** The suite fails the connection: Autobahn counts that against the peer. */
    private void fail(String problem, int code) throws IOException {
        if (violation == null) {
            violation = problem;
        }
        if (!sentClose) {
            try {
                sendClose(code);
            } catch (IOException e) {
                // the peer is gone already
            }
        }
        kill();
    }

    static boolean isUtf8(byte[] bytes, int offset, int length) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, offset, length));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- ending

    /**
     * Ends the closing handshake as the part played must: a client waits for the server to close TCP first
     * (RFC 6455 §7.1.1) and closes it itself only when that does not happen in time; a server half-closes,
     * drains what the client still sends, and closes.
     */
    void finishClosing() throws IOException {
        if (wire.isClosed()) {
            return;
        }
        long deadline = System.nanoTime() + CLOSING.toNanos();
        if (part == Part.CLIENT) {
            if (wire.awaitEof(deadline)) {
                serverDroppedTcp = true;
            } else {
                droppedByMe = true;
            }
        } else {
            droppedByMe = true;
            wire.shutdownOutput();
            wire.awaitEof(deadline);
        }
        wire.close();
    }

    /** Autobahn's {@code killAfter}: drops the TCP connection at once. */
    void kill() {
        if (!wire.isClosed()) {
            droppedByMe = !wire.atEof();
            killed = true;
        }
        wire.close();
    }

    /** The connection broke under the suite (a write to a peer that has gone). */
    void lost() {
        wire.close();
    }

    @Override
    public void close() {
        wire.close();
        if (deflate != null) {
            deflate.end();
        }
    }

    // ---------------------------------------------------------------- what Autobahn judges by

    /** The opening handshake broke a rule, though the case could still be played: the case fails for it. */
    void handshakeProblem(String problem) {
        handshakeProblem = problem;
    }

    String handshakeProblem() {
        return handshakeProblem;
    }

    /** Sets the behavior for a case that judges the events itself (Autobahn's {@code self.behavior = ...}). */
    void judge(Case.Behavior behavior, String result) {
        scripted = behavior;
        scriptedResult = result;
    }

    Case.Behavior scripted() {
        return scripted;
    }

    String scriptedResult() {
        return scriptedResult;
    }

    Part part() {
        return part;
    }

    boolean compressing() {
        return deflate != null;
    }

    List<Observed> received() {
        return Collections.unmodifiableList(received);
    }

    /** Adds a marker to the events, as Autobahn's fail-fast cases do when a wait passes quietly. */
    void mark(Observed event) {
        received.add(event);
    }

    boolean sentClose() {
        return sentClose;
    }

    boolean closedByMe() {
        return closedByMe;
    }

    boolean droppedByMe() {
        return droppedByMe;
    }

    boolean killed() {
        return killed;
    }

    /**
     * Autobahn's {@code wasClean}: Close frames went both ways, and, when the suite is the client, the server closed
     * TCP.
     */
    boolean wasClean() {
        return sentClose && receivedClose && violation == null && (part == Part.SERVER || serverDroppedTcp);
    }

    Integer localCloseCode() {
        return localCloseCode;
    }

    Integer remoteCloseCode() {
        return remoteCloseCode;
    }

    String violation() {
        return violation;
    }
}
