package dev.duplex.protocol.deflate;

import dev.duplex.Compression;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The permessage-deflate negotiation of RFC 7692 §5-§7: the client's offer, the server's choice among several
 * offers, and the client's check of the server's answer. Pure string work; {@link PerMessageDeflate} does the
 * compressing.
 */
public final class DeflateNegotiation {

    public static final String NAME = "permessage-deflate";

    private static final String SERVER_NO_CONTEXT_TAKEOVER = "server_no_context_takeover";
    private static final String CLIENT_NO_CONTEXT_TAKEOVER = "client_no_context_takeover";
    private static final String SERVER_MAX_WINDOW_BITS = "server_max_window_bits";
    private static final String CLIENT_MAX_WINDOW_BITS = "client_max_window_bits";

    /**
     * What both sides agreed to.
     *
     * @param serverNoContextTakeover the server's compressor resets after each message
     * @param clientNoContextTakeover the client's compressor resets after each message
     * @param serverMaxWindowBits     the server compressor's window, 8-15
     * @param clientMaxWindowBits     the client compressor's window, 8-15
     * @param serverWindowInAnswer    whether the answer states server_max_window_bits: always below 15, and at 15
     *                                when the offer asked (§7.1.2.1: the server "accepts an extension negotiation
     *                                offer with this parameter by including" it)
     */
    public record Agreement(boolean serverNoContextTakeover, boolean clientNoContextTakeover,
                            int serverMaxWindowBits, int clientMaxWindowBits, boolean serverWindowInAnswer) {

        public Agreement {
            serverWindowInAnswer = serverWindowInAnswer || serverMaxWindowBits < 15;
        }

        /** An agreement whose answer states the server's window only when it is below 15. */
        public Agreement(boolean serverNoContextTakeover, boolean clientNoContextTakeover, int serverMaxWindowBits,
                         int clientMaxWindowBits) {
            this(serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits, false);
        }

        /** The extension as a response header value, as RFC 7692 §7.1 writes it. */
        public String header() {
            StringBuilder sb = new StringBuilder(NAME);
            if (serverNoContextTakeover) {
                sb.append("; ").append(SERVER_NO_CONTEXT_TAKEOVER);
            }
            if (clientNoContextTakeover) {
                sb.append("; ").append(CLIENT_NO_CONTEXT_TAKEOVER);
            }
            if (serverWindowInAnswer) {
                sb.append("; ").append(SERVER_MAX_WINDOW_BITS).append('=').append(serverMaxWindowBits);
            }
            if (clientMaxWindowBits < 15) {
                sb.append("; ").append(CLIENT_MAX_WINDOW_BITS).append('=').append(clientMaxWindowBits);
            }
            return sb.toString();
        }
    }

    /** One extension of a {@code Sec-WebSocket-Extensions} list: its name and parameters in order. */
    record Extension(String name, List<Map.Entry<String, String>> parameters) {
    }

    private DeflateNegotiation() {
    }

    /** The client's offer, as a {@code Sec-WebSocket-Extensions} value. */
    public static String offer(Compression c) {
        StringBuilder sb = new StringBuilder(NAME);
        if (!c.serverContextTakeover()) {
            sb.append("; ").append(SERVER_NO_CONTEXT_TAKEOVER);
        }
        if (!c.clientContextTakeover()) {
            sb.append("; ").append(CLIENT_NO_CONTEXT_TAKEOVER);
        }
        if (c.serverMaxWindowBits() < 15) {
            sb.append("; ").append(SERVER_MAX_WINDOW_BITS).append('=').append(c.serverMaxWindowBits());
        }
        // §7.1.2.2: offering client_max_window_bits says the client can use a smaller window if the server asks.
        sb.append("; ").append(CLIENT_MAX_WINDOW_BITS);
        if (c.clientMaxWindowBits() < 15) {
            sb.append('=').append(c.clientMaxWindowBits());
        }
        return sb.toString();
    }

    /**
     * The server's choice: the first permessage-deflate offer it can accept (RFC 7692 §5: "the server ... MUST
     * decline an offer with unknown, duplicated or invalid parameters", and take the next), shaped by what the server
     * wants; null when it accepts none.
     *
     * @param headers every {@code Sec-WebSocket-Extensions} value of the request
     */
    public static Agreement accept(List<String> headers, Compression server) {
        if (!server.enabled()) {
            return null;
        }
        for (Extension offer : parse(headers)) {
            if (!offer.name().equalsIgnoreCase(NAME)) {
                continue;
            }
            Agreement agreement = acceptOne(offer, server);
            if (agreement != null) {
                return agreement;
            }
        }
        return null;
    }

    private static Agreement acceptOne(Extension offer, Compression server) {
        Map<String, String> p = parameters(offer);
        if (p == null) {
            return null;
        }
        boolean serverNoTakeover = p.containsKey(SERVER_NO_CONTEXT_TAKEOVER);
        boolean clientNoTakeover = p.containsKey(CLIENT_NO_CONTEXT_TAKEOVER);
        if ((serverNoTakeover && p.get(SERVER_NO_CONTEXT_TAKEOVER) != null)
                || (clientNoTakeover && p.get(CLIENT_NO_CONTEXT_TAKEOVER) != null)) {
            return null; // these two take no value
        }
        int serverBits = server.serverMaxWindowBits();
        if (p.containsKey(SERVER_MAX_WINDOW_BITS)) {
            // §7.1.2.1: the value is required, 8-15; the server's window must not exceed it.
            int offered = windowBits(p.get(SERVER_MAX_WINDOW_BITS));
            if (offered < 0) {
                return null;
            }
            serverBits = Math.min(serverBits, offered);
        }
        int clientBits = 15;
        if (p.containsKey(CLIENT_MAX_WINDOW_BITS)) {
            // §7.1.2.2: optional value, 8-15; without it the client only says it supports the parameter.
            String value = p.get(CLIENT_MAX_WINDOW_BITS);
            int offered = value == null ? 15 : windowBits(value);
            if (offered < 0) {
                return null;
            }
            clientBits = Math.min(server.clientMaxWindowBits(), offered);
        }
        return new Agreement(serverNoTakeover || !server.serverContextTakeover(),
                clientNoTakeover || !server.clientContextTakeover(), serverBits, clientBits,
                p.containsKey(SERVER_MAX_WINDOW_BITS));
    }

    /**
     * Checks the server's answer to this client's offer (RFC 7692 §5 and §7.1): null when the server did not accept
     * permessage-deflate.
     *
     * @param headers every {@code Sec-WebSocket-Extensions} value of the response
     * @throws IllegalArgumentException the answer is not one the offer allows; the client fails the connection
     */
    public static Agreement verify(List<String> headers, Compression client) {
        List<Extension> extensions = parse(headers);
        if (extensions.isEmpty()) {
            return null;
        }
        if (!client.enabled()) {
            throw new IllegalArgumentException("server accepted an extension that was not offered: "
                    + extensions.getFirst().name());
        }
        if (extensions.size() > 1) {
            throw new IllegalArgumentException("server accepted more than one extension");
        }
        Extension answer = extensions.getFirst();
        if (!answer.name().equalsIgnoreCase(NAME)) {
            throw new IllegalArgumentException("server accepted an extension that was not offered: " + answer.name());
        }
        Map<String, String> p = parameters(answer);
        if (p == null) {
            throw new IllegalArgumentException("server's permessage-deflate has unknown or duplicated parameters: "
                    + String.join(", ", headers));
        }
        boolean serverNoTakeover = p.containsKey(SERVER_NO_CONTEXT_TAKEOVER);
        boolean clientNoTakeover = p.containsKey(CLIENT_NO_CONTEXT_TAKEOVER);
        if ((serverNoTakeover && p.get(SERVER_NO_CONTEXT_TAKEOVER) != null)
                || (clientNoTakeover && p.get(CLIENT_NO_CONTEXT_TAKEOVER) != null)) {
            throw new IllegalArgumentException("server's context takeover parameters take no value");
        }
        // §7.1.1.1: a server that accepts an offer with server_no_context_takeover MUST include it.
        if (!client.serverContextTakeover() && !serverNoTakeover) {
            throw new IllegalArgumentException("server ignored server_no_context_takeover");
        }
        int serverBits = 15;
        if (p.containsKey(SERVER_MAX_WINDOW_BITS)) {
            serverBits = windowBits(p.get(SERVER_MAX_WINDOW_BITS));
            if (serverBits < 0 || serverBits > client.serverMaxWindowBits()) {
                throw new IllegalArgumentException("server answered an invalid server_max_window_bits");
            }
        } else if (client.serverMaxWindowBits() < 15) {
            // §7.1.2.1: an offer with server_max_window_bits is accepted by answering with it.
            throw new IllegalArgumentException("server ignored server_max_window_bits");
        }
        int clientBits = 15;
        if (p.containsKey(CLIENT_MAX_WINDOW_BITS)) {
            // §7.1.2.2: the client offered the parameter (always, here); the value must not exceed what it offered.
            clientBits = windowBits(p.get(CLIENT_MAX_WINDOW_BITS));
            if (clientBits < 0 || clientBits > client.clientMaxWindowBits()) {
                throw new IllegalArgumentException("server answered an invalid client_max_window_bits");
            }
        }
        return new Agreement(serverNoTakeover, clientNoTakeover || !client.clientContextTakeover(), serverBits,
                Math.min(clientBits, client.clientMaxWindowBits()), p.containsKey(SERVER_MAX_WINDOW_BITS));
    }

    /** The parameters by name, or null when one is unknown or appears twice. */
    private static Map<String, String> parameters(Extension e) {
        Map<String, String> map = new HashMap<>();
        for (Map.Entry<String, String> parameter : e.parameters()) {
            String name = parameter.getKey().toLowerCase(Locale.ROOT);
            boolean known = name.equals(SERVER_NO_CONTEXT_TAKEOVER) || name.equals(CLIENT_NO_CONTEXT_TAKEOVER)
                    || name.equals(SERVER_MAX_WINDOW_BITS) || name.equals(CLIENT_MAX_WINDOW_BITS);
            if (!known || map.containsKey(name)) {
                return null;
            }
            map.put(name, parameter.getValue());
        }
        return map;
    }

    /** A window size value, 8-15 in decimal with no leading zero (RFC 7692 §7.1.2), or -1. */
    private static int windowBits(String value) {
        if (value == null || value.isEmpty() || value.length() > 2 || value.charAt(0) == '0') {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            if (!Character.isDigit(value.charAt(i))) {
                return -1;
            }
        }
        int bits = Integer.parseInt(value);
        return bits >= 8 && bits <= 15 ? bits : -1;
    }

    /**
     * RFC 6455 §9.1: {@code extension *( ";" extension-param )}, extensions separated by commas, a parameter
     * {@code token [ "=" (token | quoted-string) ]}. Malformed extensions are dropped; a server then declines them.
     */
    static List<Extension> parse(List<String> headers) {
        List<Extension> extensions = new ArrayList<>();
        for (String header : headers) {
            for (String item : splitOutsideQuotes(header, ',')) {
                List<String> parts = splitOutsideQuotes(item, ';');
                String name = parts.getFirst().strip();
                if (name.isEmpty()) {
                    continue;
                }
                List<Map.Entry<String, String>> parameters = new ArrayList<>();
                boolean valid = dev.duplex.Headers.isToken(name);
                for (int i = 1; i < parts.size() && valid; i++) {
                    String part = parts.get(i).strip();
                    int eq = part.indexOf('=');
                    String key = (eq < 0 ? part : part.substring(0, eq)).strip();
                    String value = eq < 0 ? null : unquote(part.substring(eq + 1).strip());
                    valid = dev.duplex.Headers.isToken(key) && (eq < 0 || value != null);
                    parameters.add(new java.util.AbstractMap.SimpleImmutableEntry<>(key, value));
                }
                // A malformed extension is kept with a parameter no one knows, so that it is declined, not misread.
                extensions.add(new Extension(name, valid ? parameters
                        : List.of(new java.util.AbstractMap.SimpleImmutableEntry<>("", null))));
            }
        }
        return extensions;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        return dev.duplex.Headers.isToken(v) ? v : null;
    }

    private static List<String> splitOutsideQuotes(String s, char separator) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }
}
