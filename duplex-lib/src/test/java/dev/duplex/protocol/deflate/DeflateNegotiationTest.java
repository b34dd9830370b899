package dev.duplex.protocol.deflate;

import dev.duplex.Compression;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 7692 §5-§7: what a client offers, what a server accepts of several offers, what a client takes back. */
class DeflateNegotiationTest {

    static DeflateNegotiation.Agreement accept(Compression server, String... headers) {
        return DeflateNegotiation.accept(List.of(headers), server);
    }

    static String answer(Compression server, String... headers) {
        DeflateNegotiation.Agreement a = accept(server, headers);
        return a == null ? null : a.header();
    }

    @Nested
    class Offers {

        @Test
        void theDefaultOfferIsWhatBrowsersSend() {
            assertThat(DeflateNegotiation.offer(Compression.DEFAULT))
                    .isEqualTo("permessage-deflate; client_max_window_bits");
        }

        @Test
        void anOfferCarriesEveryParameterThatIsNotTheDefault() {
            assertThat(DeflateNegotiation.offer(Compression.DEFAULT.withContextTakeover(false, false)
                    .withMaxWindowBits(10, 12)))
                    .isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                            + "server_max_window_bits=10; client_max_window_bits=12");
        }
    }

    /** §7.1: the server's side. */
    @Nested
    class ServerAccepts {

        @Test
        void aPlainOfferIsAcceptedWithTheServersOwnChoices() {
            assertThat(answer(Compression.DEFAULT, "permessage-deflate")).isEqualTo("permessage-deflate");
            assertThat(answer(Compression.LOW_MEMORY, "permessage-deflate"))
                    .isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        }

        @Test
        void aDisabledServerAcceptsNothing() {
            assertThat(accept(Compression.DISABLED, "permessage-deflate")).isNull();
        }

        /** §7.1.1.1: "the server ... MUST include server_no_context_takeover" when the offer has it. */
        @Test
        void serverNoContextTakeoverInTheOfferIsHonoured() {
            assertThat(answer(Compression.DEFAULT, "permessage-deflate; server_no_context_takeover"))
                    .isEqualTo("permessage-deflate; server_no_context_takeover");
        }

        @Test
        void clientNoContextTakeoverInTheOfferIsAgreed() {
            DeflateNegotiation.Agreement a = accept(Compression.DEFAULT, "permessage-deflate; client_no_context_takeover");
            assertThat(a.clientNoContextTakeover()).isTrue();
        }

        /** §7.1.2.1: the server's window must not exceed the offer, and the answer says so. */
        @Test
        void serverMaxWindowBitsInTheOfferLimitsTheServersWindow() {
            assertThat(answer(Compression.DEFAULT, "permessage-deflate; server_max_window_bits=10"))
                    .isEqualTo("permessage-deflate; server_max_window_bits=10");
            assertThat(answer(Compression.DEFAULT.withMaxWindowBits(9, 15),
                    "permessage-deflate; server_max_window_bits=10"))
                    .isEqualTo("permessage-deflate; server_max_window_bits=9");
        }

        /** §7.1.2.1: an offer with server_max_window_bits is accepted by answering with it, at 15 too. */
        @Test
        void serverMaxWindowBitsOfFifteenIsAnsweredToo() {
            assertThat(answer(Compression.DEFAULT, "permessage-deflate; server_max_window_bits=15"))
                    .isEqualTo("permessage-deflate; server_max_window_bits=15");
        }

        /** §7.1.2.1: a server may limit its own window even when the offer did not ask. */
        @Test
        void aServerMayAnswerServerMaxWindowBitsUnasked() {
            assertThat(answer(Compression.DEFAULT.withMaxWindowBits(11, 15), "permessage-deflate"))
                    .isEqualTo("permessage-deflate; server_max_window_bits=11");
        }

        /** §7.1.2.2: client_max_window_bits may be answered only when offered, and not above the offered value. */
        @Test
        void clientMaxWindowBitsIsAnsweredOnlyWhenOffered() {
            Compression wantsSmallClientWindow = Compression.DEFAULT.withMaxWindowBits(15, 10);
            assertThat(answer(wantsSmallClientWindow, "permessage-deflate")).isEqualTo("permessage-deflate");
            assertThat(answer(wantsSmallClientWindow, "permessage-deflate; client_max_window_bits"))
                    .isEqualTo("permessage-deflate; client_max_window_bits=10");
            assertThat(answer(wantsSmallClientWindow, "permessage-deflate; client_max_window_bits=9"))
                    .isEqualTo("permessage-deflate; client_max_window_bits=9");
            assertThat(answer(Compression.DEFAULT, "permessage-deflate; client_max_window_bits"))
                    .isEqualTo("permessage-deflate");
        }

        /** §7.1.2: quoted-string values are allowed (RFC 6455 §9.1). */
        @Test
        void quotedValuesAreRead() {
            assertThat(answer(Compression.DEFAULT, "permessage-deflate; server_max_window_bits=\"12\""))
                    .isEqualTo("permessage-deflate; server_max_window_bits=12");
        }

        /** §5: an offer with unknown, duplicated or invalid parameters is declined, and the next one considered. */
        @ParameterizedTest
        @ValueSource(strings = {
                "permessage-deflate; server_max_window_bits",
                "permessage-deflate; server_max_window_bits=7",
                "permessage-deflate; server_max_window_bits=16",
                "permessage-deflate; server_max_window_bits=010",
                "permessage-deflate; server_max_window_bits=ten",
                "permessage-deflate; client_max_window_bits=8.5",
                "permessage-deflate; client_max_window_bits=0",
                "permessage-deflate; server_no_context_takeover=1",
                "permessage-deflate; client_no_context_takeover=true",
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
                "permessage-deflate; x_unknown",
                "permessage-deflate; =5",
                "permessage-deflate; server_max_window_bits=\"1 2\""})
        void aMalformedOfferIsDeclinedAndTheNextOneTaken(String malformed) {
            assertThat(accept(Compression.DEFAULT, malformed)).as(malformed).isNull();
            assertThat(answer(Compression.DEFAULT, malformed + ", permessage-deflate; client_no_context_takeover"))
                    .isEqualTo("permessage-deflate; client_no_context_takeover");
            assertThat(answer(Compression.DEFAULT, malformed, "permessage-deflate"))
                    .as("offers in a second header").isEqualTo("permessage-deflate");
        }

        @Test
        void theFirstAcceptableOfferWins() {
            assertThat(answer(Compression.DEFAULT,
                    "permessage-deflate; server_max_window_bits=10, permessage-deflate; server_max_window_bits=12"))
                    .isEqualTo("permessage-deflate; server_max_window_bits=10");
        }

        @Test
        void otherExtensionsAreSkipped() {
            assertThat(answer(Compression.DEFAULT, "x-webkit-deflate-frame, permessage-deflate; client_max_window_bits"))
                    .isEqualTo("permessage-deflate");
            assertThat(accept(Compression.DEFAULT, "x-webkit-deflate-frame")).isNull();
        }

        @Test
        void namesAndParametersAreCaseInsensitive() {
            assertThat(answer(Compression.DEFAULT, "PerMessage-Deflate; Server_No_Context_Takeover"))
                    .isEqualTo("permessage-deflate; server_no_context_takeover");
        }
    }

    /** §7.1: the client's side: anything the offer does not allow fails the connection. */
    @Nested
    class ClientVerifies {

        @Test
        void noExtensionInTheAnswerMeansNoCompression() {
            assertThat(DeflateNegotiation.verify(List.of(), Compression.DEFAULT)).isNull();
        }

        @Test
        void aPlainAnswerKeepsContextBothWays() {
            assertThat(DeflateNegotiation.verify(List.of("permessage-deflate"), Compression.DEFAULT))
                    .isEqualTo(new DeflateNegotiation.Agreement(false, false, 15, 15));
        }

        @Test
        void theServersParametersAreTaken() {
            assertThat(DeflateNegotiation.verify(List.of("permessage-deflate; server_no_context_takeover; "
                    + "client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12"),
                    Compression.DEFAULT))
                    .isEqualTo(new DeflateNegotiation.Agreement(true, true, 10, 12));
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "x-webkit-deflate-frame",
                "permessage-deflate, permessage-deflate",
                "permessage-deflate; x_unknown",
                "permessage-deflate; server_max_window_bits=7",
                "permessage-deflate; server_max_window_bits",
                "permessage-deflate; client_max_window_bits=16",
                "permessage-deflate; server_no_context_takeover=yes",
                "permessage-deflate; client_no_context_takeover; client_no_context_takeover"})
        void anAnswerTheOfferDoesNotAllowIsRefused(String answer) {
            assertThatThrownBy(() -> DeflateNegotiation.verify(List.of(answer), Compression.DEFAULT))
                    .as(answer).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void anyExtensionIsRefusedWhenNoneWasOffered() {
            assertThatThrownBy(() -> DeflateNegotiation.verify(List.of("permessage-deflate"), Compression.DISABLED))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        /** §7.1.1.1: an offer with server_no_context_takeover is accepted only by an answer with it. */
        @Test
        void anAnswerWithoutTheServerNoContextTakeoverThatWasOfferedIsRefused() {
            Compression offer = Compression.DEFAULT.withContextTakeover(false, true);
            assertThatThrownBy(() -> DeflateNegotiation.verify(List.of("permessage-deflate"), offer))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        /** §7.1.2.1: an offer with server_max_window_bits is accepted only by an answer not above it. */
        @Test
        void serverMaxWindowBitsMustAnswerTheOffer() {
            Compression offer = Compression.DEFAULT.withMaxWindowBits(10, 15);
            assertThatThrownBy(() -> DeflateNegotiation.verify(List.of("permessage-deflate"), offer))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> DeflateNegotiation.verify(
                    List.of("permessage-deflate; server_max_window_bits=11"), offer))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(DeflateNegotiation.verify(List.of("permessage-deflate; server_max_window_bits=9"), offer)
                    .serverMaxWindowBits()).isEqualTo(9);
        }

        /** §7.1.2.2: client_max_window_bits in the answer must not exceed the offered value. */
        @Test
        void clientMaxWindowBitsMustNotExceedTheOffer() {
            Compression offer = Compression.DEFAULT.withMaxWindowBits(15, 11);
            assertThatThrownBy(() -> DeflateNegotiation.verify(
                    List.of("permessage-deflate; client_max_window_bits=12"), offer))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(DeflateNegotiation.verify(List.of("permessage-deflate"), offer).clientMaxWindowBits())
                    .as("the client keeps to what it offered").isEqualTo(11);
        }
    }

    @Test
    void aServerAnswerIsAcceptedByTheClientThatMadeTheOffer() {
        for (Compression client : List.of(Compression.DEFAULT, Compression.LOW_MEMORY,
                Compression.DEFAULT.withMaxWindowBits(9, 10))) {
            for (Compression server : List.of(Compression.DEFAULT, Compression.LOW_MEMORY,
                    Compression.DEFAULT.withMaxWindowBits(12, 12))) {
                DeflateNegotiation.Agreement agreed = accept(server, DeflateNegotiation.offer(client));
                assertThat(agreed).isNotNull();
                assertThat(DeflateNegotiation.verify(List.of(agreed.header()), client))
                        .as("%s offering to %s", client, server).isEqualTo(agreed);
            }
        }
    }
}
