package dev.duplex.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The conformance report: every case's result for each side (Duplex's {@code server}, its {@code client}, and the
 * server with context takeover for sections 12 and 13), written
 * as JSON ({@code report.json}) and as a table ({@code report.txt}), and compared with the committed expected
 * results. As in tungstenite's {@code autobahn/expected-results.json}, any difference fails the build, better or
 * worse, so that a change of outcome is always a reviewed change of that file.
 */
final class Report {

    /** What the gate compares: the outcome, Autobahn's two behaviors, and the peer's close code. */
    record Expected(String outcome, String behavior, String behaviorClose, Integer remoteCloseCode) {

        static Expected of(CaseResult r) {
            return new Expected(r.outcome(), r.behavior().label, r.behaviorClose().label, r.remoteCloseCode());
        }
    }

    static final List<String> SIDES = List.of("server", "client", AutobahnConformanceTest.TAKEOVER);

    private final Map<String, Map<String, CaseResult>> sides = new ConcurrentHashMap<>();

    void add(String side, CaseResult result) {
        sides.computeIfAbsent(side, k -> new ConcurrentHashMap<>()).put(result.id(), result);
    }

    Map<String, CaseResult> side(String side) {
        Map<String, CaseResult> sorted = new TreeMap<>(Case::compareIds);
        sorted.putAll(sides.getOrDefault(side, Map.of()));
        return sorted;
    }

    /** Writes {@code report.json} and {@code report.txt} into {@code dir}. */
    synchronized void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder json = new StringBuilder("{\n");
        json.append("  \"suite\": \"Autobahn|Testsuite case families, carried as Duplex's own tests\",\n");
        json.append("  \"compressionMessages\": ").append(Json.quote(Boolean.getBoolean(CompressionCases.FULL)
                ? "1000 per case (full)" : "capped at " + CompressionCases.QUICK_BYTES + " bytes per case")).append(",\n");
        for (int s = 0; s < SIDES.size(); s++) {
            String side = SIDES.get(s);
            json.append("  ").append(Json.quote(side)).append(": {");
            int n = 0;
            for (CaseResult r : side(side).values()) {
                json.append(n++ == 0 ? "\n" : ",\n").append("    ").append(Json.quote(r.id())).append(": {")
                        .append("\"outcome\": ").append(Json.quote(r.outcome()))
                        .append(", \"behavior\": ").append(Json.quote(r.behavior().label))
                        .append(", \"behaviorClose\": ").append(Json.quote(r.behaviorClose().label))
                        .append(", \"remoteCloseCode\": ").append(r.remoteCloseCode())
                        .append(", \"localCloseCode\": ").append(r.localCloseCode())
                        .append(", \"durationMs\": ").append(r.durationMillis())
                        .append(", \"reportTime\": ").append(r.reportTime())
                        .append(", \"result\": ").append(Json.quote(r.result()))
                        .append(", \"resultClose\": ").append(Json.quote(r.resultClose()))
                        .append('}');
            }
            json.append(n == 0 ? "}" : "\n  }").append(s == SIDES.size() - 1 ? "\n" : ",\n");
        }
        json.append("}\n");
        Files.writeString(dir.resolve("report.json"), json);
        Files.writeString(dir.resolve("report.txt"), table());
    }

    /** The readable table: one line per case and side, then the counts by section and outcome. */
    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-9s %-23s %-13s %-16s %6s %6s %9s  %s%n", "case", "side", "outcome", "close",
                "remote", "local", "time", "note"));
        for (String side : SIDES) {
            for (CaseResult r : side(side).values()) {
                String note = r.outcome().equals(CaseResult.OK) || r.outcome().equals(CaseResult.INFORMATIONAL)
                        && r.result().startsWith("OK") ? "" : r.result() + " / " + r.resultClose();
                sb.append(String.format("%-9s %-23s %-13s %-16s %6s %6s %9s  %s%n", r.id(), side, r.outcome(),
                        r.behaviorClose().label, r.remoteCloseCode() == null ? "-" : r.remoteCloseCode(),
                        r.localCloseCode() == null ? "-" : r.localCloseCode(),
                        r.reportTime() ? r.durationMillis() + " ms" : "", note));
            }
        }
        sb.append(System.lineSeparator()).append(summary());
        return sb.toString();
    }

    /** Counts by section and outcome, per side. */
    String summary() {
        StringBuilder sb = new StringBuilder();
        List<String> outcomes = List.of(CaseResult.OK, CaseResult.NON_STRICT, CaseResult.INFORMATIONAL,
                CaseResult.UNIMPLEMENTED, CaseResult.FAILED);
        sb.append(String.format("%-23s %-8s %6s %6s %11s %14s %14s %7s%n", "side", "section", "cases", "OK",
                "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"));
        for (String side : SIDES) {
            Map<String, int[]> counts = new TreeMap<>((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
            int[] total = new int[outcomes.size() + 1];
            for (CaseResult r : side(side).values()) {
                int[] c = counts.computeIfAbsent(AutobahnCases.section(r.id()), k -> new int[outcomes.size() + 1]);
                int k = outcomes.indexOf(r.outcome()) + 1;
                c[0]++;
                c[k]++;
                total[0]++;
                total[k]++;
            }
            Map<String, int[]> rows = new LinkedHashMap<>(counts);
            rows.put("all", total);
            for (Map.Entry<String, int[]> e : rows.entrySet()) {
                int[] c = e.getValue();
                sb.append(String.format("%-23s %-8s %6d %6d %11d %14d %14d %7d%n", side, e.getKey(), c[0], c[1], c[2],
                        c[3], c[4], c[5]));
            }
        }
        return sb.toString();
    }

    /** Reads the committed expected results: side, then case id, then what the gate compares. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Expected>> readExpected(Path file) throws IOException {
        Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(file));
        Map<String, Map<String, Expected>> expected = new LinkedHashMap<>();
        for (String side : SIDES) {
            Map<String, Expected> cases = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) root.getOrDefault(side, Map.of())).entrySet()) {
                Map<String, Object> v = (Map<String, Object>) e.getValue();
                Object code = v.get("remoteCloseCode");
                cases.put(e.getKey(), new Expected((String) v.get("outcome"), (String) v.get("behavior"),
                        (String) v.get("behaviorClose"), code == null ? null : ((Long) code).intValue()));
            }
            expected.put(side, cases);
        }
        return expected;
    }

    /** Writes results in the expected-results format (what {@code -Dduplex.conformance.record=true} commits). */
    static void writeExpected(Path file, Map<String, Map<String, CaseResult>> results) throws IOException {
        StringBuilder json = new StringBuilder("{\n");
        for (int s = 0; s < SIDES.size(); s++) {
            String side = SIDES.get(s);
            json.append("  ").append(Json.quote(side)).append(": {");
            int n = 0;
            for (CaseResult r : results.getOrDefault(side, Map.of()).values()) {
                Expected e = Expected.of(r);
                json.append(n++ == 0 ? "\n" : ",\n").append("    ").append(Json.quote(r.id()))
                        .append(": {\"outcome\": ").append(Json.quote(e.outcome()))
                        .append(", \"behavior\": ").append(Json.quote(e.behavior()))
                        .append(", \"behaviorClose\": ").append(Json.quote(e.behaviorClose()))
                        .append(", \"remoteCloseCode\": ").append(e.remoteCloseCode()).append('}');
            }
            json.append(n == 0 ? "}" : "\n  }").append(s == SIDES.size() - 1 ? "\n" : ",\n");
        }
        Files.writeString(file, json.append("}\n"));
    }

    /** Every difference between one side's results and what was expected, one line each. */
    static List<String> differences(String side, Map<String, Expected> expected, Map<String, CaseResult> actual) {
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<String, Expected> e : expected.entrySet()) {
            CaseResult r = actual.get(e.getKey());
            if (r == null) {
                diffs.add(side + " " + e.getKey() + ": expected " + e.getValue() + ", but the case did not run");
            } else if (!Objects.equals(Expected.of(r), e.getValue())) {
                diffs.add(side + " " + e.getKey() + ": expected " + e.getValue() + ", got " + Expected.of(r) + " ("
                        + r.result() + " / " + r.resultClose() + ")");
            }
        }
        for (String id : actual.keySet()) {
            if (!expected.containsKey(id)) {
                diffs.add(side + " " + id + ": not in the expected results (got " + Expected.of(actual.get(id)) + ")");
            }
        }
        return diffs;
    }
}
