package dev.duplex.interop;

import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a permessage-deflate answer (RFC 7692 §7.1) agrees to, read from a {@code Sec-WebSocket-Extensions} value, so
 * that the tests compare agreements rather than the order and spelling each implementation writes them in. A window
 * the answer leaves out is 15 bits, as the RFC says.
 */
record DeflateParameters(boolean serverNoContextTakeover, boolean clientNoContextTakeover, int serverMaxWindowBits,
                         int clientMaxWindowBits) {

    /** {@code permessage-deflate} with no parameters: context takeover both ways, 32 KiB windows. */
    static final DeflateParameters CONTEXT_TAKEOVER = new DeflateParameters(false, false, 15, 15);

    /** {@code server_no_context_takeover; client_no_context_takeover}: what Duplex's server agrees to by default. */
    static final DeflateParameters NO_CONTEXT_TAKEOVER = new DeflateParameters(true, true, 15, 15);

    DeflateParameters withMaxWindowBits(int server, int client) {
        return new DeflateParameters(serverNoContextTakeover, clientNoContextTakeover, server, client);
    }

    /**
     * Reads an answer of exactly one permessage-deflate extension.
     *
     * @throws AssertionError the value is empty (nothing was agreed), names another extension or more than one, or
     *                        has a parameter the RFC does not define
     */
    static DeflateParameters parse(String header) {
        assertThat(header).as("Sec-WebSocket-Extensions of the response").isNotBlank().doesNotContain(",");
        String[] parts = header.split(";");
        assertThat(parts[0].strip()).as("the extension agreed to, in \"%s\"", header)
                .isEqualToIgnoringCase("permessage-deflate");
        boolean serverNoContextTakeover = false;
        boolean clientNoContextTakeover = false;
        int serverBits = 15;
        int clientBits = 15;
        for (int i = 1; i < parts.length; i++) {
            String[] parameter = parts[i].split("=", 2);
            String name = parameter[0].strip().toLowerCase(Locale.ROOT);
            String value = parameter.length == 2 ? parameter[1].strip().replace("\"", "") : null;
            switch (name) {
                case "server_no_context_takeover" -> serverNoContextTakeover = true;
                case "client_no_context_takeover" -> clientNoContextTakeover = true;
                case "server_max_window_bits" -> serverBits = windowBits(header, name, value);
                case "client_max_window_bits" -> clientBits = windowBits(header, name, value);
                default -> throw new AssertionError("unknown parameter \"" + name + "\" in \"" + header + "\"");
            }
        }
        return new DeflateParameters(serverNoContextTakeover, clientNoContextTakeover, serverBits, clientBits);
    }

    /** RFC 7692 §7.1.2: in an answer, both window parameters carry a value, 8 to 15. */
    private static int windowBits(String header, String name, String value) {
        assertThat(value).as("the value of %s in \"%s\"", name, header).isNotNull().matches("8|9|1[0-5]");
        return Integer.parseInt(value);
    }
}
