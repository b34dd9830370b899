package dev.duplex.bench.load;

import java.util.ArrayList;
import java.util.List;

/** The runs of one table cell as the rounds add them, or the failure that ended them. */
final class Runs {

    private final List<Double> values = new ArrayList<>();
    private long checked;
    private long lingering;
    private long unanswered;
    private String failure;

    void add(double value) {
        values.add(value);
    }

    void checked(long count) {
        checked += count;
    }

    void lingering(long count) {
        lingering += count;
    }

    void unanswered(long count) {
        unanswered += count;
    }

    void fail(String reason) {
        if (failure == null) {
            failure = reason;
        }
    }

    boolean failed() {
        return failure != null;
    }

    List<Double> values() {
        return List.copyOf(values);
    }

    Table.Cell cell() {
        if (failure != null) {
            return Table.Cell.failed(failure);
        }
        if (values.isEmpty()) {
            return Table.Cell.failed("no runs were reported");
        }
        List<String> notes = new ArrayList<>();
        if (lingering > 0) {
            notes.add(lingering + " closing handshakes where the server kept TCP open past 1 s");
        }
        if (unanswered > 0) {
            notes.add(unanswered + " Close frames the server never answered (dropped after 5 s, not counted)");
        }
        return new Table.Cell(new Stats(values), checked, null, String.join("; ", notes));
    }
}
