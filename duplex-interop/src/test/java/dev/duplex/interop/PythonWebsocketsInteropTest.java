package dev.duplex.interop;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;

/**
 * The interop matrix against Python websockets (the asyncio API of 10.x): {@code python/echo_server.py} and
 * {@code python/client.py}. They run on {@code /usr/bin/python3}, the interpreter Debian's
 * {@code python3-websockets} installs into; a {@code python3} earlier on the PATH may not have it. A missing
 * interpreter or package fails the tests: CI installs both.
 */
@DisplayName("Python websockets")
@Timeout(30)
class PythonWebsocketsInteropTest extends PeerInteropTest {

    private static final String PYTHON = "/usr/bin/python3";

    @Override
    String peerName() {
        return "Python websockets";
    }

    @Override
    Path peerDirectory() {
        return INTEROP_DIR.resolve("python");
    }

    @Override
    List<String> echoServerCommand() {
        return List.of(PYTHON, "-u", "echo_server.py");
    }

    @Override
    List<String> clientCommand() {
        return List.of(PYTHON, "-u", "client.py");
    }
}
