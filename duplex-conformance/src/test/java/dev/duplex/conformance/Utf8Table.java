package dev.duplex.conformance;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.duplex.conformance.Utf8Cases.hex;

/**
 * The UTF-8 sequences of Autobahn's cases 6.5-6.23, in its order: Markus Kuhn's UTF-8 decoder stress test
 * (UTF-8-test.txt) in groups, each sequence valid or not. Group n is case section 6.(n+5).
 */
final class Utf8Table {

    record Sequence(boolean valid, byte[] bytes) {
    }

    record Group(String title, List<Sequence> sequences) {
    }

    private Utf8Table() {
    }

    private static Sequence ok(String hex) {
        return new Sequence(true, hex(hex));
    }

    private static Sequence bad(String hex) {
        return new Sequence(false, hex(hex));
    }

    static List<Group> groups() {
        List<Group> groups = new ArrayList<>();
        byte[] kosme = hex("cebae1bdb9cf83cebcceb5");
        groups.add(new Group("Some valid UTF-8 sequences", List.of(ok("68656c6c6f24776f726c64"),
                ok("68656c6c6fc2a2776f726c64"), ok("68656c6c6fe282ac776f726c64"), ok("68656c6c6ff0a4ada2776f726c64"),
                new Sequence(true, kosme))));
        List<Sequence> prefixes = new ArrayList<>();
        for (int i = 1; i <= kosme.length; i++) {
            byte[] prefix = Arrays.copyOf(kosme, i);
            prefixes.add(new Sequence(Fuzzer.isUtf8(prefix, 0, prefix.length), prefix));
        }
        groups.add(new Group("All prefixes of a valid UTF-8 string that contains multi-byte code points", prefixes));
        groups.add(new Group("First possible sequence of a certain length",
                List.of(ok("00"), ok("c280"), ok("e0a080"), ok("f0908080"))));
        groups.add(new Group("First possible sequence length 5/6 (invalid codepoints)",
                List.of(bad("f888808080"), bad("fc8480808080"))));
        groups.add(new Group("Last possible sequence of a certain length",
                List.of(ok("7f"), ok("dfbf"), ok("efbfbf"), ok("f48fbfbf"))));
        groups.add(new Group("Last possible sequence length 4/5/6 (invalid codepoints)",
                List.of(bad("f7bfbfbf"), bad("fbbfbfbfbf"), bad("fdbfbfbfbfbf"))));
        groups.add(new Group("Other boundary conditions",
                List.of(ok("ed9fbf"), ok("ee8080"), ok("efbfbd"), ok("f48fbfbf"), bad("f4908080"))));
        ByteArrayOutputStream continuations = new ByteArrayOutputStream();
        for (int b = 0x80; b < 0xbf; b++) {
            continuations.write(b);
        }
        groups.add(new Group("Unexpected continuation bytes", List.of(bad("80"), bad("bf"), bad("80bf"),
                bad("80bf80"), bad("80bf80bf"), bad("80bf80bf80"), bad("80bf80bf80bf"),
                new Sequence(false, continuations.toByteArray()))));
        List<Sequence> lonely = new ArrayList<>();
        int[][] ranges = {{0xc0, 0xdf}, {0xe0, 0xef}, {0xf0, 0xf7}, {0xf8, 0xfb}, {0xfc, 0xfd}};
        for (int[] r : ranges) {
            ByteArrayOutputStream s = new ByteArrayOutputStream();
            for (int b = r[0]; b < r[1]; b++) {
                s.write(b);
                s.write(0x20);
            }
            lonely.add(new Sequence(false, s.toByteArray()));
        }
        groups.add(new Group("Lonely start characters", lonely));
        String[] missing = {"c0", "e080", "f08080", "f8808080", "fc80808080", "df", "efbf", "f7bfbf", "fbbfbfbf",
                "fdbfbfbfbf"};
        List<Sequence> incomplete = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (String m : missing) {
            incomplete.add(bad(m));
            all.append(m);
        }
        groups.add(new Group("Sequences with last continuation byte missing", incomplete));
        groups.add(new Group("Concatenation of incomplete sequences", List.of(bad(all.toString()))));
        groups.add(new Group("Impossible bytes", List.of(bad("fe"), bad("ff"), bad("fefeffff"))));
        groups.add(new Group("Examples of an overlong ASCII character", List.of(bad("c0af"), bad("e080af"),
                bad("f08080af"), bad("f8808080af"), bad("fc80808080af"))));
        groups.add(new Group("Maximum overlong sequences", List.of(bad("c1bf"), bad("e09fbf"), bad("f08fbfbf"),
                bad("f887bfbfbf"), bad("fc83bfbfbfbf"))));
        groups.add(new Group("Overlong representation of the NUL character", List.of(bad("c080"), bad("e08080"),
                bad("f0808080"), bad("f880808080"), bad("fc8080808080"))));
        groups.add(new Group("Single UTF-16 surrogates", List.of(bad("eda080"), bad("edadbf"), bad("edae80"),
                bad("edafbf"), bad("edb080"), bad("edbe80"), bad("edbfbf"))));
        groups.add(new Group("Paired UTF-16 surrogates", List.of(bad("eda080edb080"), bad("eda080edbfbf"),
                bad("edadbfedb080"), bad("edadbfedbfbf"), bad("edae80edb080"), bad("edae80edbfbf"),
                bad("edafbfedb080"), bad("edafbfedbfbf"))));
        List<Sequence> nonCharacters = new ArrayList<>(List.of(ok("efbfbe"), ok("efbfbf")));
        for (String z1 : new String[] {"f0", "f1", "f2", "f3", "f4"}) {
            for (String z2 : new String[] {"8f", "9f", "af", "bf"}) {
                if (z1.equals("f4") && !z2.equals("8f")) {
                    continue; // beyond U+10FFFF
                }
                for (String z3 : new String[] {"be", "bf"}) {
                    String s = z1 + z2 + "bf" + z3;
                    if (!s.equals("f08fbfbe") && !s.equals("f08fbfbf")) { // overlong
                        nonCharacters.add(ok(s));
                    }
                }
            }
        }
        groups.add(new Group("Non-character code points (valid UTF-8)", nonCharacters));
        groups.add(new Group("Unicode specials (i.e. replacement char)", List.of(ok("efbfb9"), ok("efbfba"),
                ok("efbfbb"), ok("efbfbc"), ok("efbfbd"), ok("efbfbe"), ok("efbfbf"))));
        return groups;
    }
}
