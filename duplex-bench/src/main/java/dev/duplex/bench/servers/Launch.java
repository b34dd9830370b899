package dev.duplex.bench.servers;

import java.io.IOException;
import java.io.InputStream;

/**
 * How every echo server of the load benchmark is started and stopped, the same way for all of them:
 * {@code java -cp benchmarks.jar <class> [--host 127.0.0.1] [--port 0]}. The server prints {@code listening <port>}
 * on standard output once it accepts connections, and shuts down when its standard input ends, so that a server
 * whose driver died does not outlive it.
 *
 * @param host the address to listen on (default 127.0.0.1: the benchmark is loopback only)
 * @param port the port, 0 (the default) for a free one
 */
public record Launch(String host, int port) {

    /** The largest message the benchmark sends is 64 KiB; every server accepts up to this much. */
    public static final int MAX_MESSAGE = 1 << 20;

    /** Reads {@code --host} and {@code --port}. */
    public static Launch parse(String[] args) {
        String host = "127.0.0.1";
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = value(args, ++i);
                case "--port" -> port = Integer.parseInt(value(args, ++i));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --host, --port");
            }
        }
        return new Launch(host, port);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** Tells the driver the server is ready, then blocks until standard input ends. */
    public static void serveUntilStdinEnds(int port) throws IOException {
        System.out.println("listening " + port);
        System.out.flush();
        InputStream in = System.in;
        byte[] sink = new byte[256];
        while (in.read(sink) >= 0) {
            // The driver sends nothing; end of input is the signal to stop.
        }
    }
}
