package dev.duplex.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code duplex conformance-client} run as a user runs it, in a process of its own: {@code java -jar
 * duplex-cli/target/duplex.jar conformance-client --url ... --agent ... --cases ...} against the suite's fuzzing
 * server, for a case of every section. Where the jar has not been packaged (a plain {@code mvn test}), the same
 * {@code dev.duplex.cli.Main} runs from the test class path, still in a process of its own.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConformanceClientCommandTest {

    private static final List<String> CASES = List.of("1.1.8", "2.10", "3.2", "4.2.4", "5.19", "6.4.3", "6.21.5",
            "7.5.1", "7.9.4", "9.3.1", "10.1.1", "12.2.10", "13.5.18", "13.7.11");
    private static final String AGENT = "duplex-cli";
    private static final Duration RUN = Duration.ofMinutes(3);

    @Test
    void theCommandRunsCasesOfEverySectionAndUpdatesTheReports() throws Exception {
        List<Case> all = AutobahnCases.all();
        Report report = new Report();
        Path reports = AutobahnConformanceTest.REPORTS.resolve("cli");
        List<String> numbers = new ArrayList<>();
        for (String id : CASES) {
            numbers.add(Integer.toString(indexOf(all, id) + 1));
        }
        try (FuzzingServer server = new FuzzingServer(all, (agent, r) -> {
            if (agent.equals(AGENT)) {
                report.add("client", r);
            }
        }, () -> {
            try {
                report.write(reports);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        })) {
            List<String> command = new ArrayList<>(java());
            command.addAll(List.of("conformance-client", "--url", server.uri().toString(), "--agent", AGENT,
                    "--cases", String.join(",", numbers)));
            Files.createDirectories(reports);
            Path log = reports.resolve("command-output.txt");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            process.getOutputStream().close();
            boolean exited = process.waitFor(RUN.toSeconds(), TimeUnit.SECONDS);
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (!exited) {
                process.destroyForcibly();
            }
            assertTrue(exited, "the command did not finish within " + RUN + ":\n" + output);
            assertEquals(0, process.exitValue(), output);
            assertTrue(output.contains("duplex: " + all.size() + " cases at " + server.uri()), output);
            assertTrue(output.contains("reports updated for agent " + AGENT), output);
        }
        Map<String, Report.Expected> expected = Report.readExpected(AutobahnConformanceTest.EXPECTED).get("client");
        Map<String, CaseResult> ran = report.side("client");
        assertEquals(CASES.stream().sorted(Case::compareIds).toList(), List.copyOf(ran.keySet()),
                "the cases the command ran");
        String wrong = ran.values().stream().filter(r -> !Report.Expected.of(r).equals(expected.get(r.id())))
                .map(r -> r.id() + ": " + Report.Expected.of(r) + " (" + r.result() + " / " + r.resultClose() + ")")
                .collect(Collectors.joining("\n"));
        assertEquals("", wrong, "outcomes that differ from the committed client results");
        assertTrue(Files.exists(reports.resolve("report.json")), "/updateReports wrote the report");
    }

    private static int indexOf(List<Case> cases, String id) {
        for (int i = 0; i < cases.size(); i++) {
            if (cases.get(i).id().equals(id)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no case " + id);
    }

    /** {@code java -jar duplex.jar}, or {@code java -cp <test class path> dev.duplex.cli.Main} without the jar. */
    private static List<String> java() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path jar = Path.of(System.getProperty("duplex.cli.jar", "../duplex-cli/target/duplex.jar"));
        if (Files.isRegularFile(jar)) {
            return List.of(java, "-jar", jar.toAbsolutePath().toString());
        }
        return List.of(java, "-cp", System.getProperty("java.class.path"), "dev.duplex.cli.Main");
    }
}
