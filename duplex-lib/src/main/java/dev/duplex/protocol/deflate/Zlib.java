package dev.duplex.protocol.deflate;

import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Where a connection's raw-mode (RFC 1951) compressors and decompressors come from, and where they go after a
 * message that does not keep its context. A zlib stream holds native memory (a compressor with a 32 KiB window about
 * 256 KiB, a decompressor about 40 KiB), so the I/O layer lends them from a shared pool; this interface keeps that
 * pool's locking out of the sans-I/O protocol.
 */
public interface Zlib {

    /** A reset compressor for raw deflate. */
    Deflater deflater();

    /** A reset decompressor for raw inflate. */
    Inflater inflater();

    /** Takes back a compressor that is no longer used; it is reset or ended here. */
    void recycle(Deflater deflater);

    /** Takes back a decompressor that is no longer used; it is reset or ended here. */
    void recycle(Inflater inflater);

    /** No pool: a new stream each time, its native memory freed as soon as it comes back. */
    Zlib UNPOOLED = new Zlib() {
        @Override
        public Deflater deflater() {
            return new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        }

        @Override
        public Inflater inflater() {
            return new Inflater(true);
        }

        @Override
        public void recycle(Deflater deflater) {
            deflater.end();
        }

        @Override
        public void recycle(Inflater inflater) {
            inflater.end();
        }
    };
}
