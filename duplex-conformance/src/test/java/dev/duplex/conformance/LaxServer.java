package dev.duplex.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;

/**
 * A deliberately lax WebSocket echo server, for testing the suite's own judgement: it echoes what it gets without
 * the checks RFC 6455 asks for (reserved bits, opcodes, control frame sizes, close codes), validates UTF-8 only
 * where told, and closes TCP after the closing handshake only when told. One connection at a time, on a virtual
 * thread; every read has a deadline.
 */
final class LaxServer implements AutoCloseable {

    /** When text is checked for UTF-8: never, or only once the whole message is in (too late for 6.4.x). */
    enum Utf8 { NEVER, AT_MESSAGE_END }

    private final ServerSocket socket;
    private final Utf8 utf8;
    private final boolean closesTcp;

    LaxServer(Utf8 utf8, boolean closesTcp) throws IOException {
        this.utf8 = utf8;
        this.closesTcp = closesTcp;
        socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().name("lax-server").start(this::acceptLoop);
    }

    int port() {
        return socket.getLocalPort();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept(); Wire wire = new Wire(s)) {
                serve(wire);
            } catch (IOException e) {
                // the client went away, or the server was closed
            }
        }
    }

    private void serve(Wire wire) throws IOException {
        Handshakes.answer(wire, wire.readHead(deadline()), null);
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        int opcode = -1;
        while (true) {
            Optional<Wire.Received> read = wire.readFrame(deadline());
            if (read.isEmpty()) {
                return;
            }
            Wire.Received f = read.get();
            switch (f.opcode()) {
                case Frame.CLOSE -> {
                    wire.write(Frame.of(Frame.CLOSE, f.payload()).encode(null));
                    if (closesTcp) {
                        wire.shutdownOutput();
                        wire.awaitEof(deadline());
                    } else {
                        wire.awaitEof(deadline());
                    }
                    return;
                }
                case Frame.PING -> wire.write(Frame.of(Frame.PONG, f.payload()).encode(null));
                case Frame.PONG -> { }
                default -> {
                    if (f.opcode() != Frame.CONTINUATION) {
                        opcode = f.opcode();
                        message.reset();
                    }
                    message.writeBytes(f.payload());
                    if (!f.fin()) {
                        continue;
                    }
                    byte[] payload = message.toByteArray();
                    if (opcode == Frame.TEXT && utf8 == Utf8.AT_MESSAGE_END && !Fuzzer.isUtf8(payload, 0, payload.length)) {
                        wire.write(Frame.close(1007, new byte[0]).encode(null));
                        wire.shutdownOutput();
                        wire.awaitEof(deadline());
                        return;
                    }
                    wire.write(Frame.of(opcode == Frame.BINARY ? Frame.BINARY : Frame.TEXT, payload).encode(null));
                }
            }
        }
    }

    private static long deadline() {
        return System.nanoTime() + 10_000_000_000L;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
