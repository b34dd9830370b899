package dev.duplex.bench.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A benchmark's results: rows are what was measured, columns who was measured, Duplex first. Each cell prints its
 * median and its {@linkplain #ratio ratio} to the best peer in the same row and round (the best non-Duplex column:
 * highest throughput, lowest memory), and a second table gives each cell's spread.
 */
public final class Table {

    /**
     * One cell: the runs' figures and how many echoes (or handshakes) were checked, or why there are none.
     * {@code note} says anything else worth knowing, or is empty.
     */
    public record Cell(Stats stats, long checked, String failure, String note) {

        public static Cell measured(Stats stats, long checked) {
            return new Cell(stats, checked, null, "");
        }

        public static Cell failed(String failure) {
            return new Cell(null, 0, failure, "");
        }

        public boolean isMeasured() {
            return failure == null;
        }
    }

    /** One row: a scenario and its unit. */
    public record Row(String label, String unit, boolean higherIsBetter, Map<String, Cell> cells) {
    }

    private final String duplex;
    private final List<String> columns;
    private final List<Row> rows = new ArrayList<>();

    /** {@code columns} in order; {@code duplex} is the one that is not a peer. */
    public Table(String duplex, List<String> columns) {
        this.duplex = duplex;
        this.columns = List.copyOf(columns);
    }

    public Row row(String label, String unit, boolean higherIsBetter) {
        Row row = new Row(label, unit, higherIsBetter, new LinkedHashMap<>());
        rows.add(row);
        return row;
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Whether every cell of every row was measured: a benchmark run fails when one was not. */
    public boolean allMeasured() {
        return rows.stream().flatMap(r -> r.cells().values().stream()).allMatch(Cell::isMeasured);
    }

    /**
     * The cell's ratio to the best peer: for each run (round), its figure over the best peer's figure in the same
     * run, and the median of those, so that a noisy round moves both sides of the ratio. Falls back to the ratio of
     * the medians when the peers have different numbers of runs. NaN when no peer was measured or a figure is not
     * positive (a memory figure at or below zero is noise around nothing).
     */
    public double ratio(Row row, Cell cell) {
        List<Cell> peers = row.cells().entrySet().stream()
                .filter(e -> !e.getKey().equals(duplex) && e.getValue().isMeasured())
                .map(Map.Entry::getValue).toList();
        if (peers.isEmpty() || !cell.isMeasured()) {
            return Double.NaN;
        }
        List<Double> runs = cell.stats().runs();
        if (peers.stream().allMatch(p -> p.stats().runs().size() == runs.size())) {
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                int run = i;
                double best = best(row, peers.stream().map(p -> p.stats().runs().get(run)).toList());
                if (best <= 0 || runs.get(i) < 0) {
                    return Double.NaN;
                }
                ratios.add(runs.get(i) / best);
            }
            return new Stats(ratios).median();
        }
        double best = best(row, peers.stream().map(p -> p.stats().median()).toList());
        return best <= 0 || cell.stats().median() < 0 ? Double.NaN : cell.stats().median() / best;
    }

    private static double best(Row row, List<Double> figures) {
        return row.higherIsBetter() ? figures.stream().mapToDouble(Double::doubleValue).max().orElseThrow()
                : figures.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    /** Prints both tables in Markdown. */
    public void print(PrintStream out) {
        List<String> header = new ArrayList<>();
        header.add("scenario");
        header.addAll(columns);
        List<List<String>> body = new ArrayList<>();
        List<List<String>> spreads = new ArrayList<>();
        double worst = 0;
        List<Double> allSpreads = new ArrayList<>();
        for (Row row : rows) {
            List<String> line = new ArrayList<>();
            List<String> spreadLine = new ArrayList<>();
            line.add(row.label() + " (" + row.unit() + ")");
            spreadLine.add(row.label());
            for (String column : columns) {
                Cell cell = row.cells().get(column);
                if (cell == null) {
                    line.add("");
                    spreadLine.add("");
                } else if (!cell.isMeasured()) {
                    line.add("failed");
                    spreadLine.add("");
                } else {
                    double median = cell.stats().median();
                    double r = ratio(row, cell);
                    String ratio = Double.isNaN(r) ? "" : String.format(Locale.ROOT, " (%.2fx)", r);
                    line.add(number(median) + ratio);
                    double spread = cell.stats().spread();
                    if (cell.stats().runs().size() > 1) {
                        allSpreads.add(spread);
                        worst = Math.max(worst, spread);
                    }
                    spreadLine.add(cell.stats().runs().size() < 2 ? "1 run"
                            : String.format(Locale.ROOT, "%.0f%%", spread * 100));
                }
            }
            body.add(line);
            spreads.add(spreadLine);
        }
        markdown(out, header, body);
        out.println();
        out.println("In brackets: the ratio to the best peer in the same round (the median over the rounds);"
                + " higher is better for throughput, lower for memory.");
        out.println();
        out.println("Spread of the runs, (max - min) / median:");
        out.println();
        markdown(out, header, spreads);
        if (allSpreads.isEmpty()) {
            out.printf("%nNoise: one run per cell, so no spread was measured.%n");
        } else {
            List<Double> sorted = allSpreads.stream().sorted().toList();
            out.printf(Locale.ROOT, "%nNoise: median spread %.0f%%, worst %.0f%%.%n",
                    sorted.get(sorted.size() / 2) * 100, worst * 100);
        }
    }

    static String number(double value) {
        if (Math.abs(value) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (Math.abs(value) >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static void markdown(PrintStream out, List<String> header, List<List<String>> body) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < header.size(); i++) {
            widths[i] = header.get(i).length();
            for (List<String> line : body) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        printLine(out, header, widths);
        StringBuilder rule = new StringBuilder("|").append("-".repeat(widths[0] + 2)).append('|');
        for (int i = 1; i < widths.length; i++) {
            rule.append("-".repeat(widths[i] + 1)).append(":|");
        }
        out.println(rule);
        for (List<String> line : body) {
            printLine(out, line, widths);
        }
    }

    private static void printLine(PrintStream out, List<String> cells, int[] widths) {
        StringBuilder s = new StringBuilder("|");
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            String pad = " ".repeat(widths[i] - c.length());
            s.append(' ').append(i == 0 ? c + pad : pad + c).append(" |");
        }
        out.println(s);
    }
}
