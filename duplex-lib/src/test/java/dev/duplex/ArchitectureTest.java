package dev.duplex;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sans-I/O rule of the design: {@code dev.duplex.protocol} and its subpackages decide from bytes alone, so no
 * file there may use sockets, channels, threads, concurrency utilities, clocks or the I/O layer.
 */
class ArchitectureTest {

    /** Surefire runs in the module directory; an IDE may run in the repository root. */
    private static final Path PROTOCOL = Stream.of("src/main/java/dev/duplex/protocol",
                    "duplex-lib/src/main/java/dev/duplex/protocol")
            .map(Path::of).filter(Files::isDirectory).findFirst()
            .orElse(Path.of("src/main/java/dev/duplex/protocol"));

    private static final List<Pattern> FORBIDDEN = Stream.of(
                    "\\bjava\\.net\\b",
                    "\\bjavax\\.net\\b",
                    "\\bjava\\.nio\\.channels\\b",
                    "\\bjava\\.util\\.concurrent\\b",
                    "\\bjava\\.time\\b",
                    "\\bdev\\.duplex\\.io\\b",
                    "\\bThread\\w*\\b",
                    "\\bSystem\\s*\\.\\s*nanoTime\\b",
                    "\\bSystem\\s*\\.\\s*currentTimeMillis\\b",
                    "\\bInstant\\s*\\.\\s*now\\b",
                    "\\bClock\\b")
            .map(Pattern::compile)
            .toList();

    /** What a source file uses that the protocol packages may not; comments are ignored, code and strings not. */
    static List<String> violations(String source) {
        String code = withoutComments(source);
        List<String> found = new ArrayList<>();
        for (Pattern p : FORBIDDEN) {
            Matcher m = p.matcher(code);
            while (m.find()) {
                found.add(m.group());
            }
        }
        return found;
    }

    /** A comment may explain why there is no clock here; only code counts. */
    private static String withoutComments(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? s.length() : end + 3;
                out.append(s, i, end);
                i = end;
            } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
                char quote = s.charAt(i);
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != quote && s.charAt(j) != '\n') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                j = Math.min(j + 1, s.length());
                out.append(s, i, j);
                i = j;
            } else if (s.startsWith("//", i)) {
                int end = s.indexOf('\n', i);
                i = end < 0 ? s.length() : end;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
                out.append(' ');
            } else {
                out.append(s.charAt(i++));
            }
        }
        return out.toString();
    }

    @Test
    void theProtocolPackagesUseNoSocketsThreadsOrClocks() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(PROTOCOL)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertThat(files).as("java files under %s", PROTOCOL.toAbsolutePath()).hasSizeGreaterThanOrEqualTo(10);
        assertThat(files).as("the handshake subpackage is scanned too")
                .anyMatch(p -> p.toString().contains("handshake"));

        for (Path file : files) {
            assertThat(violations(Files.readString(file))).as("forbidden in %s", file).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "import java.net.Socket;",
            "import javax.net.ssl.SSLSocket;",
            "import java.nio.channels.SocketChannel;",
            "import java.util.concurrent.locks.ReentrantLock;",
            "import static java.util.concurrent.TimeUnit.SECONDS;",
            "import java.time.Duration;",
            "import dev.duplex.io.Connection;",
            "var s = new java.net.Socket();",
            "Thread.sleep(10);",
            "ThreadLocal<byte[]> buffers;",
            "long t = System.nanoTime();",
            "long t = System.currentTimeMillis();",
            "var now = Instant.now();",
            "Clock clock = Clock.systemUTC();"})
    void theCheckCatchesAPlantedViolation(String line) {
        String source = "package dev.duplex.protocol;\n\nfinal class Planted {\n    " + line + "\n}\n";

        assertThat(violations(source)).isNotEmpty();
    }

    @Test
    void theCheckPassesCleanCodeAndIgnoresComments() {
        String source = """
                package dev.duplex.protocol;

                import java.nio.ByteBuffer;
                import java.util.random.RandomGenerator;

                /** Not thread-safe: no Thread, no Clock, no java.net here. */
                final class Clean {
                    // System.nanoTime() would make this untestable
                    int threads; long nanoTimeLike; String clockwork = "clockwork";
                }
                """;

        assertThat(violations(source)).isEmpty();
    }
}
