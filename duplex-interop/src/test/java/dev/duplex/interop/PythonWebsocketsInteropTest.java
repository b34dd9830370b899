package dev.duplex.interop;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;

/**
 * The interop matrix against Python websockets (the asyncio API of 10.x): {@code python/echo_server.py} and
 * {@code python/client.py} ({@link Peer#PYTHON_WEBSOCKETS}).
 */
@DisplayName("Python websockets")
@Timeout(30)
class PythonWebsocketsInteropTest extends PeerInteropTest {

    @Override
    Peer peer() {
        return Peer.PYTHON_WEBSOCKETS;
    }
}
