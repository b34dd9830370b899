package dev.duplex.protocol.deflate;

/**
 * A raw DEFLATE (RFC 1951) decoder written for tests, after Mark Adler's puff.c: slow and plain, and it records the
 * farthest back-reference it meets, which is what a peer with a smaller LZ77 window cares about. It reads a stream
 * of sync-flushed messages until the input runs out.
 */
final class DeflateChecker {

    private static final int[] LENGTH_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
            67, 83, 99, 115, 131, 163, 195, 227, 258};
    private static final int[] LENGTH_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
            5, 5, 5, 5, 0};
    private static final int[] DISTANCE_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
            513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DISTANCE_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10,
            10, 11, 11, 12, 12, 13, 13};
    private static final int[] CODE_LENGTH_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

    private final byte[] in;
    private long bit;
    private byte[] out = new byte[1024];
    private int size;
    private int farthest;

    private DeflateChecker(byte[] in) {
        this.in = in;
    }

    /** What a decoder makes of the stream, and the longest distance any back-reference in it reaches. */
    record Result(byte[] output, int farthestReference) {
    }

    static Result decode(byte[] stream) {
        DeflateChecker d = new DeflateChecker(stream);
        while (d.bit + 3 <= 8L * stream.length) {
            d.bit(); // BFINAL: a sync-flushed stream goes on after it only in tests of final blocks
            int type = d.bits(2);
            switch (type) {
                case 0 -> d.stored();
                case 1 -> d.codes(Huffman.FIXED_LITERALS, Huffman.FIXED_DISTANCES);
                case 2 -> d.dynamic();
                default -> throw new IllegalStateException("invalid block type 3");
            }
            if (d.bit % 8 != 0 && d.bit + 8 > 8L * stream.length) {
                break; // the padding after a final block
            }
        }
        return new Result(java.util.Arrays.copyOf(d.out, d.size), d.farthest);
    }

    private int bit() {
        if (bit >= 8L * in.length) {
            throw new IllegalStateException("stream ends inside a block");
        }
        int b = (in[(int) (bit >>> 3)] >> (int) (bit & 7)) & 1;
        bit++;
        return b;
    }

    private int bits(int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            v |= bit() << i;
        }
        return v;
    }

    private void stored() {
        bit = (bit + 7) & ~7L;
        int len = bits(16);
        int nlen = bits(16);
        if ((len ^ 0xFFFF) != nlen) {
            throw new IllegalStateException("stored block length check failed");
        }
        for (int i = 0; i < len; i++) {
            emit((byte) bits(8));
        }
    }

    private void dynamic() {
        int literals = bits(5) + 257;
        int distances = bits(5) + 1;
        int codes = bits(4) + 4;
        int[] lengths = new int[19];
        for (int i = 0; i < codes; i++) {
            lengths[CODE_LENGTH_ORDER[i]] = bits(3);
        }
        Huffman lengthCode = new Huffman(lengths);
        int[] all = new int[literals + distances];
        for (int i = 0; i < all.length; ) {
            int symbol = lengthCode.decode(this);
            if (symbol < 16) {
                all[i++] = symbol;
            } else {
                int repeat;
                int value = 0;
                if (symbol == 16) {
                    value = all[i - 1];
                    repeat = 3 + bits(2);
                } else if (symbol == 17) {
                    repeat = 3 + bits(3);
                } else {
                    repeat = 11 + bits(7);
                }
                for (int r = 0; r < repeat; r++) {
                    all[i++] = value;
                }
            }
        }
        codes(new Huffman(java.util.Arrays.copyOfRange(all, 0, literals)),
                new Huffman(java.util.Arrays.copyOfRange(all, literals, all.length)));
    }

    private void codes(Huffman literals, Huffman distances) {
        while (true) {
            int symbol = literals.decode(this);
            if (symbol < 256) {
                emit((byte) symbol);
            } else if (symbol == 256) {
                return;
            } else {
                symbol -= 257;
                int length = LENGTH_BASE[symbol] + bits(LENGTH_EXTRA[symbol]);
                int d = distances.decode(this);
                int distance = DISTANCE_BASE[d] + bits(DISTANCE_EXTRA[d]);
                farthest = Math.max(farthest, distance);
                if (distance > size) {
                    throw new IllegalStateException("reference before the start of the stream");
                }
                for (int i = 0; i < length; i++) {
                    emit(out[size - distance]);
                }
            }
        }
    }

    private void emit(byte b) {
        if (size == out.length) {
            out = java.util.Arrays.copyOf(out, size * 2);
        }
        out[size++] = b;
    }

    /** A canonical Huffman code: counts of codes per length, and the symbols in code order (puff.c's struct huffman). */
    private static final class Huffman {
        static final Huffman FIXED_LITERALS;
        static final Huffman FIXED_DISTANCES;

        static {
            int[] l = new int[288];
            for (int i = 0; i < 288; i++) {
                l[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
            }
            FIXED_LITERALS = new Huffman(l);
            int[] d = new int[30];
            java.util.Arrays.fill(d, 5);
            FIXED_DISTANCES = new Huffman(d);
        }

        private final int[] count = new int[16];
        private final int[] symbol;

        Huffman(int[] lengths) {
            for (int len : lengths) {
                count[len]++;
            }
            int[] offsets = new int[16];
            for (int len = 1; len < 15; len++) {
                offsets[len + 1] = offsets[len] + count[len];
            }
            symbol = new int[lengths.length];
            for (int s = 0; s < lengths.length; s++) {
                if (lengths[s] != 0) {
                    symbol[offsets[lengths[s]]++] = s;
                }
            }
        }

        int decode(DeflateChecker d) {
            int code = 0;
            int first = 0;
            int index = 0;
            for (int len = 1; len <= 15; len++) {
                code |= d.bit();
                int n = count[len];
                if (code - n < first) {
                    return symbol[index + (code - first)];
                }
                index += n;
                first += n;
                first <<= 1;
                code <<= 1;
            }
            throw new IllegalStateException("invalid Huffman code");
        }
    }
}
