package dev.duplex.bench.load;

/** Something a run must not see: a wrong echo, a protocol error, a dropped connection, a deadline passed. */
final class Failure extends RuntimeException {

    Failure(String message) {
        super(message);
    }

    Failure(String message, Throwable cause) {
        super(message, cause);
    }
}
