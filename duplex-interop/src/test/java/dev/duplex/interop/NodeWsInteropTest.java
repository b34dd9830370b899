package dev.duplex.interop;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;

/**
 * The interop matrix against Node's ws: {@code node/echo-server.js} and {@code node/client.js}, with the ws version
 * locked in {@code node/package-lock.json} ({@code npm ci} installs it). A missing {@code node} or {@code ws} fails
 * the tests: CI installs both.
 */
@DisplayName("Node ws")
@Timeout(30)
class NodeWsInteropTest extends PeerInteropTest {

    @Override
    String peerName() {
        return "Node ws";
    }

    @Override
    Path peerDirectory() {
        return INTEROP_DIR.resolve("node");
    }

    @Override
    List<String> echoServerCommand() {
        return List.of("node", "echo-server.js");
    }

    @Override
    List<String> clientCommand() {
        return List.of("node", "client.js");
    }
}
