package dev.duplex.interop;

import org.junit.jupiter.api.DisplayName;

/** The Node ws matrix over {@code wss://}: ws on Node's https server and client, trusting a {@link TestCa}. */
@DisplayName("Node ws over TLS")
class NodeWsTlsInteropTest extends NodeWsInteropTest {

    @Override
    Transport transport() {
        return Transport.TLS;
    }
}
