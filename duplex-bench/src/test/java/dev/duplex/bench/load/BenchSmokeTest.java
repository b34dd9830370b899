package dev.duplex.bench.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI's smoke run of the load benchmark: it starts, measures, prints, and checks every echo. Never a threshold on
 * speed: the machine is shared and the numbers of a quick run mean nothing.
 */
class BenchSmokeTest {

    @TempDir
    Path logs;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void quickServerBenchMeasuresDuplexAndAPeerInEveryScenario() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Table table = Bench.run(Bench.Options.parse(new String[] {
                "--quick", "--servers", "duplex,netty", "--logs", logs.toString()}), print(printed));

        String output = printed.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(output).contains("| scenario", "Duplex", "Netty 4.2", "Spread of the runs");
        assertEveryCellMeasured(table, Scenario.values().length, 2);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void quickClientBenchMeasuresDuplexAndAPeer() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Table table = ClientBench.run(ClientBench.Options.parse(new String[] {
                "--quick", "--clients", "duplex,jdk", "--logs", logs.toString()}), print(printed));

        String output = printed.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(output).contains("| scenario", "Duplex", "JDK HttpClient");
        assertEveryCellMeasured(table, 4, 2);
    }

    private static void assertEveryCellMeasured(Table table, int rows, int columns) {
        List<Table.Row> all = table.rows();
        assertThat(all).hasSize(rows);
        for (Table.Row row : all) {
            assertThat(row.cells()).as(row.label()).hasSize(columns);
            row.cells().forEach((column, cell) -> {
                assertThat(cell.failure()).as(row.label() + " / " + column).isNull();
                assertThat(cell.checked()).as(row.label() + " / " + column + ": echoes checked").isPositive();
                double median = cell.stats().median();
                assertThat(median).as(row.label() + " / " + column).isFinite();
                if (row.higherIsBetter()) {
                    assertThat(median).as(row.label() + " / " + column).isPositive();
                }
            });
        }
    }

    private static PrintStream print(ByteArrayOutputStream into) {
        return new PrintStream(into, true, StandardCharsets.UTF_8);
    }
}
