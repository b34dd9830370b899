package dev.duplex.interop;

import org.junit.jupiter.api.DisplayName;

/** The Python websockets matrix over {@code wss://}: Python's ssl module on both sides, trusting a {@link TestCa}. */
@DisplayName("Python websockets over TLS")
class PythonWebsocketsTlsInteropTest extends PythonWebsocketsInteropTest {

    @Override
    Transport transport() {
        return Transport.TLS;
    }
}
