package dev.duplex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * HTTP header fields: an immutable, ordered list of name/value pairs whose names compare case-insensitively.
 *
 * <p>Names must be RFC 9110 tokens and values may not hold CR, LF, NUL or other control characters (tab excepted),
 * so a {@code Headers} can always be written into a handshake without injecting lines. Values are kept as given;
 * names keep their case for the wire.
 */
public final class Headers implements Iterable<Headers.Field> {

    /** One header field. */
    public record Field(String name, String value) {
        public Field {
            checkName(name);
            checkValue(name, value);
        }

        @Override
        public String toString() {
            return name + ": " + value;
        }
    }

    /** No header fields. */
    public static final Headers EMPTY = new Headers(List.of());

    private final List<Field> fields;

    private Headers(List<Field> fields) {
        this.fields = fields;
    }

    /** Headers from alternating names and values: {@code Headers.of("Origin", "https://example.com")}. */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("Headers.of takes names and values in pairs");
        }
        List<Field> list = new ArrayList<>(namesAndValues.length / 2);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            list.add(new Field(namesAndValues[i], namesAndValues[i + 1]));
        }
        return new Headers(Collections.unmodifiableList(list));
    }

    /** Headers holding these fields, in this order. */
    public static Headers of(List<Field> fields) {
        return fields.isEmpty() ? EMPTY : new Headers(List.copyOf(fields));
    }

    /** The value of the first field with this name. */
    public Optional<String> first(String name) {
        for (Field f : fields) {
            if (f.name.equalsIgnoreCase(name)) {
                return Optional.of(f.value);
            }
        }
        return Optional.empty();
    }

    /** The values of every field with this name, in order. */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>(2);
        for (Field f : fields) {
            if (f.name.equalsIgnoreCase(name)) {
                values.add(f.value);
            }
        }
        return values;
    }

    /** Whether a field with this name is present. */
    public boolean contains(String name) {
        return first(name).isPresent();
    }

    /**
     * The comma-separated elements of every field with this name, trimmed, in order (RFC 9110 §5.6.1 list syntax):
     * {@code Connection: keep-alive, Upgrade} gives {@code [keep-alive, Upgrade]}. Empty elements are dropped.
     */
    public List<String> tokens(String name) {
        List<String> tokens = new ArrayList<>(2);
        for (Field f : fields) {
            if (!f.name.equalsIgnoreCase(name)) {
                continue;
            }
            int start = 0;
            String v = f.value;
            while (start <= v.length()) {
                int comma = v.indexOf(',', start);
                int end = comma < 0 ? v.length() : comma;
                String token = v.substring(start, end).strip();
                if (!token.isEmpty()) {
                    tokens.add(token);
                }
                start = end + 1;
            }
        }
        return tokens;
    }

    /** Whether the list-valued field {@code name} holds {@code token}, compared case-insensitively. */
    public boolean containsToken(String name, String token) {
        for (String t : tokens(name)) {
            if (t.equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** These headers with one more field appended. */
    public Headers with(String name, String value) {
        List<Field> list = new ArrayList<>(fields.size() + 1);
        list.addAll(fields);
        list.add(new Field(name, value));
        return new Headers(Collections.unmodifiableList(list));
    }

    /** These headers followed by {@code more}. */
    public Headers with(Headers more) {
        if (more.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return more;
        }
        List<Field> list = new ArrayList<>(fields.size() + more.size());
        list.addAll(fields);
        list.addAll(more.fields);
        return new Headers(Collections.unmodifiableList(list));
    }

    /** These headers without any field named {@code name}. */
    public Headers without(String name) {
        List<Field> list = new ArrayList<>(fields.size());
        for (Field f : fields) {
            if (!f.name.equalsIgnoreCase(name)) {
                list.add(f);
            }
        }
        return list.size() == fields.size() ? this : of(list);
    }

    /** The fields in order. */
    public List<Field> fields() {
        return fields;
    }

    public int size() {
        return fields.size();
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    @Override
    public Iterator<Field> iterator() {
        return fields.iterator();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Headers other) || other.fields.size() != fields.size()) {
            return false;
        }
        for (int i = 0; i < fields.size(); i++) {
            Field a = fields.get(i);
            Field b = other.fields.get(i);
            if (!a.name.equalsIgnoreCase(b.name) || !a.value.equals(b.value)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Field f : fields) {
            h = 31 * h + f.name.toLowerCase(Locale.ROOT).hashCode();
            h = 31 * h + f.value.hashCode();
        }
        return h;
    }

    @Override
    public String toString() {
        return fields.toString();
    }

    /** RFC 9110 §5.6.2: token = 1*tchar. */
    public static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isTokenChar(char c) {
        return switch (c) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        };
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "header name");
        if (!isToken(name)) {
            throw new IllegalArgumentException("invalid header name: \"" + name + "\"");
        }
    }

    private static void checkValue(String name, String value) {
        Objects.requireNonNull(value, "header value");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // RFC 9110 §5.5: field-vchar / SP / HTAB, plus obs-text (bytes 0x80-0xFF, read as ISO-8859-1).
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException("invalid character 0x" + Integer.toHexString(c)
                        + " in the value of header " + name);
            }
        }
    }
}
