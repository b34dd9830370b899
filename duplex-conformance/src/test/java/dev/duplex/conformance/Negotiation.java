package dev.duplex.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The permessage-deflate negotiation of Autobahn's sections 12 and 13, for both parts the suite plays: the offers
 * its client sends and checks the answer to, and the answer its server gives to the peer's offers.
 */
final class Negotiation {

    private static final Set<String> PARAMETERS = Set.of("server_no_context_takeover", "client_no_context_takeover",
            "server_max_window_bits", "client_max_window_bits");

    private Negotiation() {
    }

    /**
     * An offer as Autobahn's client makes it (its {@code PerMessageDeflateOffer} with the defaults
     * {@code acceptNoContextTakeover} and {@code acceptMaxWindowBits}).
     *
     * @param requestMaxWindowBits 0 for none
     */
    record Offer(boolean requestNoContextTakeover, int requestMaxWindowBits) {

        String header() {
            StringBuilder sb = new StringBuilder(Deflate.NAME)
                    .append("; client_no_context_takeover; client_max_window_bits");
            if (requestNoContextTakeover) {
                sb.append("; server_no_context_takeover");
            }
            if (requestMaxWindowBits != 0) {
                sb.append("; server_max_window_bits=").append(requestMaxWindowBits);
            }
            return sb.toString();
        }
    }

    /**
     * One case's negotiation: the offers the suite's client sends, and which of Autobahn's server answers
     * ({@code accept1} ... {@code accept7} of case13_x_x) the suite's server gives.
     */
    record Setup(List<Offer> offers, int accept, String describe) {
    }

    /** The answer of the suite's server, and what it agreed to. */
    record Answer(String header, Deflate.Agreement agreement) {
    }

    static String offerHeader(Setup setup) {
        return String.join(", ", setup.offers().stream().map(Offer::header).toList());
    }

    /**
     * The server's answer as the suite's client reads it.
     *
     * @param agreement what the answer says, or null when the server declined
     * @param problem   why the answer breaks RFC 7692, or null when it does not
     */
    record Verified(Deflate.Agreement agreement, String problem) {
    }

    /**
     * The suite's client checks the server's answer against its offers (RFC 7692 §7.1). An answer that no offer
     * allows is a failure of the case, but when its parameters can still be read the case is played with them, so
     * that the report shows everything else that happened.
     *
     * @throws IllegalArgumentException the answer cannot be read as permessage-deflate at all
     */
    static Verified verifyAnswer(Setup setup, List<String> headerValues) {
        List<Deflate.Extension> extensions = Deflate.parse(headerValues);
        if (extensions.isEmpty()) {
            return new Verified(null, null);
        }
        if (extensions.size() != 1 || !extensions.getFirst().name().equals(Deflate.NAME)) {
            throw new IllegalArgumentException("the server answered extensions that were not offered: " + headerValues);
        }
        Map<String, String> p = extensions.getFirst().parameters();
        for (Map.Entry<String, String> e : p.entrySet()) {
            boolean takesValue = e.getKey().endsWith("_bits");
            if (!PARAMETERS.contains(e.getKey()) || (takesValue ? Deflate.windowBits(e.getValue()) < 0
                    : e.getValue() != null)) {
                throw new IllegalArgumentException("invalid permessage-deflate answer: " + headerValues);
            }
        }
        int serverBits = p.containsKey("server_max_window_bits") ? Deflate.windowBits(p.get("server_max_window_bits")) : 15;
        int clientBits = p.containsKey("client_max_window_bits") ? Deflate.windowBits(p.get("client_max_window_bits")) : 15;
        boolean serverNoTakeover = p.containsKey("server_no_context_takeover");
        Deflate.Agreement agreement = new Deflate.Agreement(serverNoTakeover,
                p.containsKey("client_no_context_takeover"), serverBits, clientBits);
        for (Offer offer : setup.offers()) {
            // §7.1.1.1: "A server accepts an extension negotiation offer that includes the
            // "server_no_context_takeover" extension parameter by including the "server_no_context_takeover"
            // extension parameter in the extension negotiation response"; §7.1.2.1: "A server accepts an extension
            // negotiation offer with this parameter by including the "server_max_window_bits" extension parameter
            // in the extension negotiation response to send back to the client with the same or smaller value as
            // the offer."
            boolean takeoverOk = !offer.requestNoContextTakeover() || serverNoTakeover;
            boolean windowOk = offer.requestMaxWindowBits() == 0 || (p.containsKey("server_max_window_bits")
                    && serverBits <= offer.requestMaxWindowBits());
            if (takeoverOk && windowOk) {
                return new Verified(agreement, null);
            }
        }
        return new Verified(agreement, "the server's permessage-deflate answer \"" + String.join(", ", headerValues)
                + "\" accepts none of the offers \"" + offerHeader(setup) + "\" (RFC 7692 §7.1.1.1/§7.1.2.1: an "
                + "accepted server_no_context_takeover or server_max_window_bits must be in the answer)");
    }

    /** What Autobahn's server reads in a client's offer ({@code PerMessageDeflateOffer.parse}). */
    private record Parsed(boolean acceptNoContextTakeover, boolean acceptMaxWindowBits,
                          boolean requestNoContextTakeover, int requestMaxWindowBits) {
    }

    /**
     * The suite's server answers the client's offers the way Autobahn's {@code accept1} ... {@code accept7} do.
     *
     * @return the answer, or null when it declines
     */
    static Answer answer(Setup setup, List<String> offerValues) {
        List<Parsed> offers = new ArrayList<>();
        for (Deflate.Extension e : Deflate.parse(offerValues)) {
            if (!e.name().equals(Deflate.NAME)) {
                continue;
            }
            Map<String, String> p = e.parameters();
            if (!PARAMETERS.containsAll(p.keySet())) {
                continue;
            }
            int requested = p.containsKey("server_max_window_bits") ? Deflate.windowBits(p.get("server_max_window_bits")) : 0;
            if (requested < 0) {
                continue;
            }
            // Autobahn assumes a client accepts no_context_takeover even when it does not say so.
            offers.add(new Parsed(true, p.containsKey("client_max_window_bits"),
                    p.containsKey("server_no_context_takeover"), requested));
        }
        return switch (setup.accept()) {
            case 1 -> accept(offers, o -> true, false, 0);
            case 2 -> accept(offers, Parsed::acceptNoContextTakeover, true, 0);
            case 3 -> accept(offers, Parsed::acceptMaxWindowBits, false, 8);
            case 4 -> accept(offers, Parsed::acceptMaxWindowBits, false, 15);
            case 5 -> accept(offers, o -> o.acceptNoContextTakeover() && o.acceptMaxWindowBits(), true, 8);
            case 6 -> accept(offers, o -> o.acceptNoContextTakeover() && o.acceptMaxWindowBits(), true, 15);
            case 7 -> firstOf(accept(offers, o -> o.acceptNoContextTakeover() && o.acceptMaxWindowBits(), true, 8),
                    accept(offers, Parsed::acceptNoContextTakeover, true, 0), accept(offers, o -> true, false, 0));
            default -> throw new IllegalArgumentException("no accept" + setup.accept());
        };
    }

    private static Answer firstOf(Answer... answers) {
        for (Answer a : answers) {
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    private static Answer accept(List<Parsed> offers, java.util.function.Predicate<Parsed> acceptable,
                                 boolean requestNoContextTakeover, int requestMaxWindowBits) {
        for (Parsed o : offers) {
            if (!acceptable.test(o)) {
                continue;
            }
            StringBuilder header = new StringBuilder(Deflate.NAME);
            if (o.requestNoContextTakeover()) {
                header.append("; server_no_context_takeover");
            }
            if (o.requestMaxWindowBits() != 0) {
                header.append("; server_max_window_bits=").append(o.requestMaxWindowBits());
            }
            if (requestNoContextTakeover) {
                header.append("; client_no_context_takeover");
            }
            if (requestMaxWindowBits != 0) {
                header.append("; client_max_window_bits=").append(requestMaxWindowBits);
            }
            return new Answer(header.toString(), new Deflate.Agreement(o.requestNoContextTakeover(),
                    requestNoContextTakeover, o.requestMaxWindowBits() == 0 ? 15 : o.requestMaxWindowBits(),
                    requestMaxWindowBits == 0 ? 15 : requestMaxWindowBits));
        }
        return null;
    }
}
