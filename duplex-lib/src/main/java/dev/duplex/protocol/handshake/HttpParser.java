package dev.duplex.protocol.handshake;

import dev.duplex.Headers;
import dev.duplex.Limits;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An incremental, bounded parser for an HTTP/1.1 message head (RFC 9112 §2-§5): the start-line and the header
 * fields up to the empty line. It looks at each byte once, so a head trickled in a byte at a time costs no more
 * than one sent whole, and it stops at the limits of {@link Limits}: line length (414 for the request-line, 431 for
 * a header line), header count and total size (431). Bytes after the head stay in the buffer for the protocol.
 */
public final class HttpParser {

    /**
     * A parsed head: the start-line without its line ending, and the header fields in wire order.
     *
     * @param untrimmedValues each field's value with only its leading whitespace removed, in the order of
     *                        {@code headers}: hixie-76 keys count every space, trailing ones included
     */
    public record Head(String startLine, Headers headers, List<String> untrimmedValues) {

        /** A head whose values had no trailing whitespace. */
        public Head(String startLine, Headers headers) {
            this(startLine, headers, headers.fields().stream().map(Headers.Field::value).toList());
        }

        /** The first value of the field {@code name} with its trailing whitespace kept, or null. */
        public String untrimmedValue(String name) {
            List<Headers.Field> fields = headers.fields();
            for (int i = 0; i < fields.size(); i++) {
                if (fields.get(i).name().equalsIgnoreCase(name)) {
                    return untrimmedValues.get(i);
                }
            }
            return null;
        }
    }

    private final int maxLineLength;
    private final int maxHeaderCount;
    private final int maxHeaderBytes;
    private final byte[] line;
    private int lineLength;
    private int total;
    private String startLine;
    private final List<Headers.Field> fields = new ArrayList<>();
    private final List<String> untrimmedValues = new ArrayList<>();

    public HttpParser(Limits limits) {
        this.maxLineLength = limits.maxHeaderLineLength();
        this.maxHeaderCount = limits.maxHeaderCount();
        this.maxHeaderBytes = limits.maxHeaderBytes();
        this.line = new byte[maxLineLength + 1]; // room for the CR before LF
    }

    /**
     * Consumes bytes up to the end of the head.
     *
     * @return the head once the empty line that ends it has been read, or null while more bytes are needed
     * @throws HttpException the head is malformed or too large
     */
    public Head parse(ByteBuffer in) throws HttpException {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (++total > maxHeaderBytes) {
                throw new HttpException(431, "handshake head larger than " + maxHeaderBytes + " bytes");
            }
            if (b == '\n') {
                int length = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
                lineLength = 0;
                if (endLine(length)) {
                    return new Head(startLine, Headers.of(fields), List.copyOf(untrimmedValues));
                }
            } else if (lineLength == line.length || (lineLength == maxLineLength && b != '\r')) {
                // Only the CR of a CRLF may take the byte past the limit.
                throw startLine == null
                        ? new HttpException(414, "start-line longer than " + maxLineLength + " bytes")
                        : new HttpException(431, "header line longer than " + maxLineLength + " bytes");
            } else {
                line[lineLength++] = b;
            }
        }
        return null;
    }

    /** Handles one complete line; returns true when it was the empty line that ends the head. */
    private boolean endLine(int length) throws HttpException {
        for (int i = 0; i < length; i++) {
            int c = line[i] & 0xFF;
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw new HttpException(400, "control character 0x" + Integer.toHexString(c) + " in the handshake head");
            }
        }
        if (startLine == null) {
            // RFC 9112 §2.2: "a server that is expecting to receive and parse a request-line SHOULD ignore at least
            // one empty line (CRLF) received prior to the request-line."
            if (length > 0) {
                startLine = new String(line, 0, length, StandardCharsets.ISO_8859_1);
            }
            return false;
        }
        if (length == 0) {
            return true;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            // RFC 9112 §5.2: obs-fold is deprecated; a server may reject it with 400.
            throw new HttpException(400, "obsolete line folding in header fields");
        }
        int colon = 0;
        while (colon < length && line[colon] != ':') {
            colon++;
        }
        if (colon == length) {
            throw new HttpException(400, "header line without a colon");
        }
        String name = new String(line, 0, colon, StandardCharsets.ISO_8859_1);
        // RFC 9112 §5.1: "No whitespace is allowed between the field name and colon."
        if (!Headers.isToken(name)) {
            throw new HttpException(400, "invalid header name \"" + name + "\"");
        }
        int start = colon + 1;
        int end = length;
        while (start < end && (line[start] == ' ' || line[start] == '\t')) {
            start++;
        }
        while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t')) {
            end--;
        }
        if (fields.size() == maxHeaderCount) {
            throw new HttpException(431, "more than " + maxHeaderCount + " header fields");
        }
        String value = new String(line, start, end - start, StandardCharsets.ISO_8859_1);
        fields.add(new Headers.Field(name, value));
        untrimmedValues.add(end == length ? value : new String(line, start, length - start, StandardCharsets.ISO_8859_1));
        return false;
    }
}
