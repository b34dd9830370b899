package dev.duplex.conformance;

/**
 * Reads a raw DEFLATE stream (RFC 1951) only far enough to find its longest back-reference: what zlib, opened with a
 * smaller window ({@code wbits} below 15), would refuse as "invalid distance too far back". Java's {@code Inflater}
 * always has a 32 KiB window, so the suite checks a negotiated {@code *_max_window_bits} with this instead.
 *
 * <p>A permessage-deflate message plus the {@code 00 00 ff ff} tail is a byte-aligned run of whole blocks, so each
 * message is checked on its own, without the history before it. Written from RFC 1951 §3.2.
 */
final class Distances {

    private static final int[] LENGTH_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
            5, 5, 5, 5, 0};
    private static final int[] DISTANCE_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
            513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DISTANCE_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10,
            10, 11, 11, 12, 12, 13, 13};
    private static final int[] CODE_LENGTH_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    private static final Huffman FIXED_LITERALS;
    private static final Huffman FIXED_DISTANCES;

    static {
        int[] lengths = new int[288];
        for (int i = 0; i < 288; i++) {
            lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
        }
        FIXED_LITERALS = new Huffman(lengths, 288);
        int[] distances = new int[30];
        java.util.Arrays.fill(distances, 5);
        FIXED_DISTANCES = new Huffman(distances, 30);
    }

    private final byte[] in;
    private long bit;
    private int farthest;

    private Distances(byte[] in) {
        this.in = in;
    }

    /**
     * The longest back-reference distance in the stream.
     *
     * @throws IllegalArgumentException the stream is not valid DEFLATE
     */
    static int farthest(byte[] stream) {
        Distances d = new Distances(stream);
        long total = 8L * stream.length;
        while (d.bit + 3 <= total) {
            boolean last = d.bits(1) == 1;
            switch (d.bits(2)) {
                case 0 -> d.stored();
                case 1 -> d.codes(FIXED_LITERALS, FIXED_DISTANCES);
                case 2 -> d.dynamic();
                default -> throw new IllegalArgumentException("invalid DEFLATE block type 3");
            }
            if (last) {
                break;
            }
            if (d.bit % 8 != 0 && (d.bit + 7) / 8 >= stream.length) {
                break; // only the padding of the last byte is left
            }
        }
        return d.farthest;
    }

    private int bits(int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            if (bit >= 8L * in.length) {
                throw new IllegalArgumentException("DEFLATE stream ends inside a block");
            }
            v |= ((in[(int) (bit >>> 3)] >> (int) (bit & 7)) & 1) << i;
            bit++;
        }
        return v;
    }

    private void stored() {
        bit = (bit + 7) & ~7L;
        int len = bits(16);
        int nlen = bits(16);
        if ((len ^ 0xFFFF) != nlen) {
            throw new IllegalArgumentException("stored block length does not match its complement");
        }
        bit += 8L * len;
        if (bit > 8L * in.length) {
            throw new IllegalArgumentException("stored block runs past the end");
        }
    }

    private void codes(Huffman literals, Huffman distances) {
        while (true) {
            int symbol = literals.decode(this);
            if (symbol < 256) {
                continue;
            }
            if (symbol == 256) {
                return;
            }
            symbol -= 257;
            if (symbol >= 29) {
                throw new IllegalArgumentException("invalid length symbol");
            }
            bits(LENGTH_EXTRA[symbol]);
            int d = distances.decode(this);
            if (d >= 30) {
                throw new IllegalArgumentException("invalid distance symbol");
            }
            farthest = Math.max(farthest, DISTANCE_BASE[d] + bits(DISTANCE_EXTRA[d]));
        }
    }

    private void dynamic() {
        int nlen = bits(5) + 257;
        int ndist = bits(5) + 1;
        int ncode = bits(4) + 4;
        int[] lengths = new int[320];
        for (int i = 0; i < ncode; i++) {
            lengths[CODE_LENGTH_ORDER[i]] = bits(3);
        }
        Huffman lengthCode = new Huffman(lengths, 19);
        int[] all = new int[nlen + ndist];
        for (int i = 0; i < nlen + ndist; ) {
            int symbol = lengthCode.decode(this);
            if (symbol < 16) {
                all[i++] = symbol;
                continue;
            }
            int repeat;
            int value = 0;
            if (symbol == 16) {
                if (i == 0) {
                    throw new IllegalArgumentException("repeat with no previous length");
                }
                value = all[i - 1];
                repeat = 3 + bits(2);
            } else if (symbol == 17) {
                repeat = 3 + bits(3);
            } else {
                repeat = 11 + bits(7);
            }
            if (i + repeat > nlen + ndist) {
                throw new IllegalArgumentException("too many code lengths");
            }
            for (int k = 0; k < repeat; k++) {
                all[i++] = value;
            }
        }
        codes(new Huffman(java.util.Arrays.copyOfRange(all, 0, nlen), nlen),
                new Huffman(java.util.Arrays.copyOfRange(all, nlen, nlen + ndist), ndist));
    }

    /** A canonical Huffman code, decoded a bit at a time as RFC 1951 §3.2.2 builds it. */
    private static final class Huffman {
        private final int[] count = new int[16];
        private final int[] symbols;

        Huffman(int[] lengths, int n) {
            symbols = new int[n];
            for (int i = 0; i < n; i++) {
                count[lengths[i]]++;
            }
            int[] offsets = new int[16];
            for (int len = 1; len < 15; len++) {
                offsets[len + 1] = offsets[len] + count[len];
            }
            for (int i = 0; i < n; i++) {
                if (lengths[i] != 0) {
                    symbols[offsets[lengths[i]]++] = i;
                }
            }
        }

        int decode(Distances d) {
            int code = 0;
            int first = 0;
            int index = 0;
            for (int len = 1; len < 16; len++) {
                code |= d.bits(1);
                int c = count[len];
                if (code - c < first) {
                    return symbols[index + (code - first)];
                }
                index += c;
                first = (first + c) << 1;
                code <<= 1;
            }
            throw new IllegalArgumentException("invalid Huffman code");
        }
    }
}
