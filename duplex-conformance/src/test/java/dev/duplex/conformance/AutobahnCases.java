package dev.duplex.conformance;

import java.util.ArrayList;
import java.util.List;

/** Every case of the suite, in Autobahn's order: sections 1-7, 9, 10, 12 and 13. */
final class AutobahnCases {

    private static List<Case> all;

    private AutobahnCases() {
    }

    static synchronized List<Case> all() {
        if (all == null) {
            List<Case> cases = new ArrayList<>();
            cases.addAll(FramingCases.all());
            cases.addAll(FragmentationCases.all());
            cases.addAll(Utf8Cases.all());
            cases.addAll(CloseCases.all());
            cases.addAll(LimitCases.all());
            cases.addAll(CompressionCases.all());
            cases.sort((a, b) -> Case.compareIds(a.id(), b.id()));
            for (int i = 1; i < cases.size(); i++) {
                if (cases.get(i).id().equals(cases.get(i - 1).id())) {
                    throw new IllegalStateException("two cases " + cases.get(i).id());
                }
            }
            all = List.copyOf(cases);
        }
        return all;
    }

    /** The sections a case id belongs to, for the report: "6.4.1" is in section 6. */
    static String section(String id) {
        return id.substring(0, id.indexOf('.'));
    }
}
