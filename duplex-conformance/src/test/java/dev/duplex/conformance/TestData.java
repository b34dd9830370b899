package dev.duplex.conformance;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Stand-ins for Autobahn's section 12 payloads (Autobahn ships files: a JSON document, the Lena bitmap, Goethe's
 * Faust, an HTML page, a PDF), made here from a fixed seed with the same kind of content and the same sizes: text
 * that compresses well, an image that compresses a little, and a document whose streams do not compress at all.
 * The UTF-8 sets are ASCII, so that any slice of them is valid UTF-8, as Autobahn's are.
 */
final class TestData {

    record Set(String description, boolean binary, byte[] bytes) {
    }

    private static final String[] WORDS = {"Habe", "nun", "ach", "Philosophie", "Juristerei", "und", "Medizin",
            "leider", "auch", "Theologie", "durchaus", "studiert", "mit", "heißem", "Bemühn", "da", "steh", "ich",
            "armer", "Tor", "bin", "so", "klug", "als", "wie", "zuvor", "Geist", "der", "stets", "verneint", "Welt",
            "im", "Innersten", "zusammenhält", "Gretchen", "Mephistopheles", "Studierzimmer", "Nacht", "über"};
    private static final String[] KEYS = {"id", "name", "email", "active", "balance", "tags", "created", "friends",
            "latitude", "longitude", "greeting", "company"};

    private static List<Set> sets;

    private TestData() {
    }

    static synchronized List<Set> sets() {
        if (sets == null) {
            sets = List.of(
                    new Set("Large JSON data file (utf8, 194056 bytes)", false, json(194056)),
                    new Set("Bitmap 512x512 grey (binary, 263222 bytes)", true, bitmap(263222)),
                    new Set("Human readable text, German (binary, 222218 bytes)", true, prose(222218)),
                    new Set("Large HTML file (utf8, 263527 bytes)", false, html(263527)),
                    new Set("A larger PDF-like document (binary, 1042328 bytes)", true, pdf(1042328)));
        }
        return sets;
    }

    private static byte[] fit(ByteArrayOutputStream out, int size) {
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOf(all, size);
    }

    private static byte[] json(int size) {
        SplittableRandom r = new SplittableRandom(12);
        StringBuilder sb = new StringBuilder("[");
        for (int id = 0; sb.length() < size; id++) {
            sb.append(id == 0 ? "" : ",").append("\n  {");
            for (int k = 0; k < KEYS.length; k++) {
                sb.append(k == 0 ? "" : ", ").append('"').append(KEYS[k]).append("\": ");
                switch (k % 4) {
                    case 0 -> sb.append(r.nextInt(1_000_000));
                    case 1 -> sb.append('"').append(asciiWord(r)).append(' ').append(asciiWord(r)).append('"');
                    case 2 -> sb.append(r.nextBoolean());
                    default -> sb.append(String.format(java.util.Locale.ROOT, "%.6f", r.nextDouble(-180, 180)));
                }
            }
            sb.append('}');
        }
        return java.util.Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), size);
    }

    private static String asciiWord(SplittableRandom r) {
        return WORDS[r.nextInt(WORDS.length)].replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
                .replace("ß", "ss");
    }

    private static byte[] bitmap(int size) {
        SplittableRandom r = new SplittableRandom(34);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.writeBytes("BM".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[52]);
        for (int i = 0; i < 256; i++) {
            out.writeBytes(new byte[] {(byte) i, (byte) i, (byte) i, 0});
        }
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 512; x++) {
                double v = 128 + 60 * Math.sin(x / 37.0) * Math.cos(y / 23.0) + 40 * Math.sin((x + y) / 71.0);
                out.write((int) Math.max(0, Math.min(255, v + r.nextInt(-6, 7))));
            }
        }
        return fit(out, size);
    }

    private static byte[] prose(int size) {
        SplittableRandom r = new SplittableRandom(56);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < size) {
            int words = 4 + r.nextInt(12);
            for (int i = 0; i < words; i++) {
                String w = WORDS[r.nextInt(WORDS.length)];
                sb.append(i == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
                sb.append(i == words - 1 ? (r.nextInt(5) == 0 ? "!\n" : ".\n") : r.nextInt(9) == 0 ? ", " : " ");
            }
        }
        return java.util.Arrays.copyOf(sb.toString().getBytes(StandardCharsets.UTF_8), size);
    }

    private static byte[] html(int size) {
        SplittableRandom r = new SplittableRandom(78);
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html>\n<head><title>Duplex</title></head>\n<body>\n");
        String[] tags = {"p", "div", "span", "li", "td", "h2"};
        while (sb.length() < size) {
            String tag = tags[r.nextInt(tags.length)];
            sb.append("  <").append(tag).append(" class=\"c").append(r.nextInt(20)).append("\">");
            int words = 3 + r.nextInt(15);
            for (int i = 0; i < words; i++) {
                sb.append(i == 0 ? "" : " ").append(asciiWord(r));
            }
            sb.append("</").append(tag).append(">\n");
        }
        return java.util.Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), size);
    }

    /** Text objects between streams of random bytes, as a PDF's compressed streams are. */
    private static byte[] pdf(int size) {
        SplittableRandom r = new SplittableRandom(90);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.writeBytes("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII));
        for (int obj = 1; out.size() < size; obj++) {
            int length = 512 + r.nextInt(8192);
            out.writeBytes((obj + " 0 obj\n<< /Length " + length + " /Filter /FlateDecode >>\nstream\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] stream = new byte[length];
            r.nextBytes(stream);
            out.writeBytes(stream);
            out.writeBytes("\nendstream\nendobj\n".getBytes(StandardCharsets.US_ASCII));
        }
        return fit(out, size);
    }
}
