package dev.duplex;

import java.util.Objects;

/**
 * A server's answer to an opening-handshake request: {@link Accept} with extra response headers and a state object
 * for the {@link Handler}, or {@link Reject} with an HTTP status.
 *
 * @param <S> the type of the state handed to the handler
 */
public sealed interface Upgrade<S> permits Upgrade.Accept, Upgrade.Reject {

    /** Accept with no extra headers and no state. */
    static <S> Upgrade<S> accept() {
        return new Accept<>(Headers.EMPTY, null);
    }

    /** Accept, adding {@code headers} to the 101 response and handing {@code state} (may be null) to the handler. */
    static <S> Upgrade<S> accept(Headers headers, S state) {
        return new Accept<>(headers, state);
    }

    /** Refuse with this HTTP status (400-599) and a short reason, sent as the plain-text response body. */
    static <S> Upgrade<S> reject(int status, String reason) {
        return new Reject<>(status, reason, Headers.EMPTY);
    }

    /** Refuse with this HTTP status, reason and extra response headers (a {@code WWW-Authenticate}, say). */
    static <S> Upgrade<S> reject(int status, String reason, Headers headers) {
        return new Reject<>(status, reason, headers);
    }

    /** The handshake goes ahead. */
    record Accept<S>(Headers headers, S state) implements Upgrade<S> {
        public Accept {
            Objects.requireNonNull(headers, "headers");
        }
    }

    /** The handshake is refused with an HTTP error response. */
    record Reject<S>(int status, String reason, Headers headers) implements Upgrade<S> {
        public Reject {
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("a rejection needs an HTTP status from 400 to 599, not " + status);
            }
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(headers, "headers");
        }
    }
}
