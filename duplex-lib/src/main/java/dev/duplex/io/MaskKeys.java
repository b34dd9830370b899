package dev.duplex.io;

import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * Masking keys from a strong source (RFC 6455 §5.3: "derived from a strong source of entropy", so that a payload
 * cannot be crafted to look unmasked to intermediaries), drawn from the shared {@link SecureRandom} 64 keys at a
 * time so that the source's lock is not taken on every frame. One instance per connection, used under its lock.
 */
final class MaskKeys implements RandomGenerator {

    private static final SecureRandom SOURCE = new SecureRandom();

    private static final int BLOCK = 256;

    /** Allocated on first use: a server's connections never mask, and 10,000 idle ones would hold 2.6 MiB of it. */
    private byte[] block;
    private int position;

    @Override
    public int nextInt() {
        if (block == null) {
            block = new byte[BLOCK];
            position = BLOCK;
        }
        if (position == BLOCK) {
            SOURCE.nextBytes(block);
            position = 0;
        }
        int key = (block[position] & 0xFF) << 24 | (block[position + 1] & 0xFF) << 16
                | (block[position + 2] & 0xFF) << 8 | (block[position + 3] & 0xFF);
        position += 4;
        return key;
    }

    @Override
    public long nextLong() {
        return (long) nextInt() << 32 | (nextInt() & 0xFFFFFFFFL);
    }

    /** 16 fresh random bytes for a {@code Sec-WebSocket-Key}. */
    static byte[] nonce() {
        byte[] nonce = new byte[16];
        SOURCE.nextBytes(nonce);
        return nonce;
    }
}
