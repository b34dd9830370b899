package dev.duplex.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One way of handing the same bytes to a parser, as a socket might: whole, halved, one byte at a time, or cut at
 * seeded random points. A parser that is right for one way and wrong for another keeps state badly between reads.
 *
 * <p>The random ways print their seed in their name. To replay a failure, run with {@code -Dduplex.seed=<seed>}.
 */
public record Feeding(Kind kind, long seed) {

    public enum Kind { WHOLE, HALVED, BYTE_BY_BYTE, RANDOM }

    /** The seed the random splits start from; fixed so that every run feeds the same cuts unless told otherwise. */
    public static final long BASE_SEED = Long.decode(System.getProperty("duplex.seed", "0x6455"));

    /** How many random ways each case also runs. */
    public static final int RANDOM_WAYS = 4;

    public static final Feeding WHOLE = new Feeding(Kind.WHOLE, 0);
    public static final Feeding HALVED = new Feeding(Kind.HALVED, 0);
    public static final Feeding BYTE_BY_BYTE = new Feeding(Kind.BYTE_BY_BYTE, 0);

    /** Every way: whole, halved, one byte at a time, and {@link #RANDOM_WAYS} seeded random splits. */
    public static Stream<Feeding> ways() {
        Stream<Feeding> random = Stream.iterate(0, i -> i + 1).limit(RANDOM_WAYS).map(i -> random(BASE_SEED + i));
        return Stream.concat(Stream.of(WHOLE, HALVED, BYTE_BY_BYTE), random);
    }

    public static Feeding random(long seed) {
        return new Feeding(Kind.RANDOM, seed);
    }

    /** The pieces this way cuts {@code data} into, in order; together they are exactly {@code data}. */
    public List<ByteBuffer> split(byte[] data) {
        List<ByteBuffer> pieces = new ArrayList<>();
        if (kind == Kind.WHOLE || data.length < 2) {
            pieces.add(ByteBuffer.wrap(data));
        } else if (kind == Kind.HALVED) {
            pieces.add(ByteBuffer.wrap(data, 0, data.length / 2));
            pieces.add(ByteBuffer.wrap(data, data.length / 2, data.length - data.length / 2));
        } else if (kind == Kind.BYTE_BY_BYTE) {
            for (int i = 0; i < data.length; i++) {
                pieces.add(ByteBuffer.wrap(data, i, 1));
            }
        } else {
            // Mix of a few cuts and many, and of buffers that start mid-array, slices with an array offset,
            // read-only and direct buffers, so that a parser reading array() or position 0 instead of the
            // buffer's window is caught.
            SplittableRandom random = new SplittableRandom(seed ^ data.length);
            double cutChance = random.nextBoolean() ? Math.min(1.0, 3.0 / data.length) : random.nextDouble(0.5);
            int forcedCut = 1 + random.nextInt(data.length - 1);
            int start = 0;
            for (int i = 1; i <= data.length; i++) {
                if (i == data.length || i == forcedCut || random.nextDouble() < cutChance) {
                    ByteBuffer piece = ByteBuffer.wrap(data, start, i - start);
                    pieces.add(switch (random.nextInt(4)) {
                        case 0 -> piece;
                        case 1 -> piece.slice();
                        case 2 -> piece.asReadOnlyBuffer();
                        default -> ByteBuffer.allocateDirect(piece.remaining()).put(piece).flip();
                    });
                    start = i;
                }
            }
        }
        return pieces;
    }

    /** Hands {@code data} to the protocol piece by piece; {@link Protocol#receive} must consume every piece. */
    public void feed(Protocol protocol, byte[] data) {
        for (ByteBuffer piece : split(data)) {
            protocol.receive(piece);
            assertThat(piece.hasRemaining()).as("%s: receive() left bytes unconsumed", this).isFalse();
        }
    }

    @Override
    public String toString() {
        return switch (kind) {
            case WHOLE -> "whole";
            case HALVED -> "halved";
            case BYTE_BY_BYTE -> "one byte at a time";
            case RANDOM -> "random splits, seed 0x" + Long.toHexString(seed);
        };
    }
}
