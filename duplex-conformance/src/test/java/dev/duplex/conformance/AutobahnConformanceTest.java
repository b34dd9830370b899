package dev.duplex.conformance;

import dev.duplex.Compression;
import dev.duplex.WebSocketServer;
import dev.duplex.cli.ConformanceCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The conformance gate: every Autobahn case, named by its id, against Duplex's server ({@code duplex serve --echo},
 * in-process; the suite is the fuzzing client writing exact bytes), sections 12 and 13 once more against
 * {@code serve --echo --compression-context-takeover}, and every case against Duplex's client ({@code duplex
 * conformance-client}'s in-process entry points; the suite is the fuzzing server). Each case's outcome must be the
 * one committed in {@code expected-results.json}; the report goes to {@code target/conformance/report.json} and
 * {@code report.txt}.
 *
 * <p>{@code -Dduplex.conformance.record=true} rewrites {@code expected-results.json} from the run (to review and
 * commit); {@code -Dduplex.conformance.full=true} sends Autobahn's full 1000 messages in the compression cases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class AutobahnConformanceTest {

    static final Path MODULE = Path.of(System.getProperty("duplex.conformance.dir", ".")).toAbsolutePath().normalize();
    static final Path EXPECTED = MODULE.resolve("expected-results.json");
    static final Path REPORTS = MODULE.resolve("target/conformance");
    /** The only cases whose expected outcome may be other than OK: Autobahn itself reports them as informational. */
    static final Set<String> INFORMATIONAL = Set.of("7.1.6", "7.13.1", "7.13.2");
    private static final String AGENT = "duplex";
    /** The side of {@code serve --echo --compression-context-takeover}, for sections 12 and 13. */
    static final String TAKEOVER = "server-context-takeover";
    private static final Duration RESULT_WAIT = Duration.ofSeconds(30);

    private final List<Case> cases = AutobahnCases.all();
    private final Report report = new Report();
    private Map<String, Map<String, Report.Expected>> expected = Map.of();
    private WebSocketServer server;
    private WebSocketServer takeoverServer;
    private FuzzingServer fuzzingServer;

    @BeforeAll
    void start() throws IOException {
        if (Files.exists(EXPECTED)) {
            expected = Report.readExpected(EXPECTED);
        }
        server = ConformanceCommands.startEchoServer();
        takeoverServer = ConformanceCommands.startEchoServer(ConformanceCommands.echoServerOptions()
                .withCompression(Compression.LOW_MEMORY.withContextTakeover(true, true)));
        fuzzingServer = new FuzzingServer(cases, (agent, result) -> {
            if (agent.equals(AGENT)) {
                report.add("client", result);
            }
        }, this::writeReports);
    }

    @AfterAll
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (takeoverServer != null) {
            takeoverServer.close();
        }
        if (fuzzingServer != null) {
            fuzzingServer.close();
        }
        writeReports();
        if (Boolean.getBoolean("duplex.conformance.record")) {
            Report.writeExpected(EXPECTED, Map.of("server", report.side("server"), "client", report.side("client"),
                    TAKEOVER, report.side(TAKEOVER)));
        }
        System.out.print(report.summary());
    }

    private void writeReports() {
        try {
            report.write(REPORTS);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the report: " + e.getMessage(), e);
        }
    }

    /** How long one case may take in all: its own wait, plus the closing handshake and room for a slow machine. */
    private static Duration limit(Case c) {
        return c.patience().plus(Duration.ofSeconds(60));
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> duplexServer() {
        return onServer("server", server.port(), cases);
    }

    /**
     * Sections 12 and 13 again, against {@code duplex serve --echo --compression-context-takeover}: the server keeps
     * its compressor's context wherever the offer lets it (with the 8-bit window of 13.3, too).
     */
    @TestFactory
    @Order(2)
    Stream<DynamicTest> duplexServerWithContextTakeover() {
        return onServer(TAKEOVER, takeoverServer.port(), compressionCases());
    }

    private List<Case> compressionCases() {
        return cases.stream().filter(c -> c.compression() != null).toList();
    }

    private Stream<DynamicTest> onServer(String side, int port, List<Case> cases) {
        return cases.stream().map(c -> DynamicTest.dynamicTest(side + " " + c.id() + " " + c.description(), () -> {
            CaseResult r = assertTimeoutPreemptively(limit(c), () -> {
                Fuzzer f;
                try {
                    f = Handshakes.openClient(port, c);
                } catch (IOException e) {
                    return new CaseResult(c.id(), CaseResult.FAILED, Case.Behavior.FAILED, Case.CloseBehavior.FAILED,
                            null, null, 0, c.reportTime(), "The opening handshake failed: " + e.getMessage(), "");
                }
                return CaseRunner.run(c, f);
            }, () -> side + " " + c.id() + " did not finish within " + limit(c));
            report.add(side, r);
            check(side, r);
        }));
    }

    @TestFactory
    @Order(3)
    Stream<DynamicTest> duplexClient() {
        DynamicTest count = DynamicTest.dynamicTest("client /getCaseCount", () -> assertEquals(cases.size(),
                ConformanceCommands.caseCount(fuzzingServer.uri())));
        Stream<DynamicTest> each = IntStream.rangeClosed(1, cases.size()).mapToObj(n -> {
            Case c = cases.get(n - 1);
            return DynamicTest.dynamicTest("client " + c.id() + " " + c.description(), () -> {
                CaseResult r = assertTimeoutPreemptively(limit(c), () -> {
                    ConformanceCommands.runCase(fuzzingServer.uri(), n, AGENT);
                    return fuzzingServer.result(AGENT, n).get(RESULT_WAIT.toSeconds(), TimeUnit.SECONDS);
                }, () -> "client " + c.id() + " did not finish within " + limit(c));
                check("client", r);
            });
        });
        DynamicTest update = DynamicTest.dynamicTest("client /updateReports", () -> {
            ConformanceCommands.updateReports(fuzzingServer.uri(), AGENT);
            assertTrue(Files.exists(REPORTS.resolve("report.json")), "the report was written");
        });
        return Stream.concat(Stream.concat(Stream.of(count), each), Stream.of(update));
    }

    private void check(String side, CaseResult r) {
        Report.Expected want = expected.getOrDefault(side, Map.of()).get(r.id());
        Report.Expected got = Report.Expected.of(r);
        if (want == null) {
            fail(side + " " + r.id() + " is not in expected-results.json; got " + got + ": " + r.result() + " / "
                    + r.resultClose());
        }
        assertEquals(want, got, () -> side + " " + r.id() + ": " + r.result() + " / " + r.resultClose());
    }

    /** The whole report against the whole expected file: no case missing, none added, none changed. */
    @Test
    @Order(4)
    void theReportIsTheCommittedExpectedResults() {
        List<String> diffs = new ArrayList<>();
        for (String side : Report.SIDES) {
            diffs.addAll(Report.differences(side, expected.getOrDefault(side, Map.of()), report.side(side)));
        }
        assertTrue(diffs.isEmpty(), () -> diffs.size() + " differences from expected-results.json:\n"
                + String.join("\n", diffs));
    }

    /** The gate's own rule: what is committed as expected is OK, or informational where Autobahn says so. */
    @Test
    @Order(5)
    void theExpectedResultsAreOkExceptWhereAutobahnOnlyInforms() {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Map<String, Report.Expected>> side : expected.entrySet()) {
            for (Map.Entry<String, Report.Expected> e : side.getValue().entrySet()) {
                String want = INFORMATIONAL.contains(e.getKey()) ? CaseResult.INFORMATIONAL : CaseResult.OK;
                if (!e.getValue().outcome().equals(want)) {
                    wrong.add(side.getKey() + " " + e.getKey() + ": " + e.getValue().outcome());
                }
            }
            int count = side.getKey().equals(TAKEOVER) ? compressionCases().size() : cases.size();
            assertEquals(count, side.getValue().size(), side.getKey() + ": every case has an expected result");
        }
        assertTrue(wrong.isEmpty(), () -> "expected results other than OK: " + wrong);
    }
}
