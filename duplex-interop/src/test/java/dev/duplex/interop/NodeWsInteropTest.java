package dev.duplex.interop;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;

/**
 * The interop matrix against Node's ws: {@code node/echo-server.js} and {@code node/client.js} ({@link Peer#NODE_WS}).
 */
@DisplayName("Node ws")
@Timeout(30)
class NodeWsInteropTest extends PeerInteropTest {

    @Override
    Peer peer() {
        return Peer.NODE_WS;
    }
}
