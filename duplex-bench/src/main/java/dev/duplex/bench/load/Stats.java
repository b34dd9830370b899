package dev.duplex.bench.load;

import java.util.List;

/** The figures of one cell of a benchmark table: its runs, their median and their spread. */
public record Stats(List<Double> runs) {

    public Stats {
        runs = List.copyOf(runs);
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("a cell needs at least one run");
        }
    }

    public double median() {
        List<Double> sorted = runs.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** (max - min) / median: how far apart the runs were, the noise of the machine. */
    public double spread() {
        double min = runs.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = runs.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double median = median();
        return median == 0 ? 0 : (max - min) / median;
    }
}
