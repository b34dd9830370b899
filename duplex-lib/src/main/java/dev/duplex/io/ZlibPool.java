package dev.duplex.io;

import dev.duplex.protocol.deflate.Zlib;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The zlib streams that connections without context takeover borrow for one message at a time. A few are kept
 * (twice the processors: more cannot be busy at once for long); the rest are ended as they come back, so the native
 * memory held stays bounded whatever the number of connections.
 */
final class ZlibPool implements Zlib {

    static final ZlibPool SHARED = new ZlibPool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Deflater> deflaters = new ArrayDeque<>();
    private final ArrayDeque<Inflater> inflaters = new ArrayDeque<>();
    /** Streams handed out and not yet given back: a connection that forgot one would show here. */
    private final AtomicLong outstanding = new AtomicLong();

    ZlibPool(int capacity) {
        this.capacity = capacity;
    }

    /** Streams handed out and not yet given back. */
    long outstanding() {
        return outstanding.get();
    }

    @Override
    public Deflater deflater() {
        outstanding.incrementAndGet();
        lock.lock();
        try {
            Deflater d = deflaters.poll();
            if (d != null) {
                return d;
            }
        } finally {
            lock.unlock();
        }
        return new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    }

    @Override
    public Inflater inflater() {
        outstanding.incrementAndGet();
        lock.lock();
        try {
            Inflater i = inflaters.poll();
            if (i != null) {
                return i;
            }
        } finally {
            lock.unlock();
        }
        return new Inflater(true);
    }

    @Override
    public void recycle(Deflater deflater) {
        outstanding.decrementAndGet();
        deflater.reset();
        lock.lock();
        try {
            if (deflaters.size() < capacity) {
                deflaters.push(deflater);
                return;
            }
        } finally {
            lock.unlock();
        }
        deflater.end();
    }

    @Override
    public void recycle(Inflater inflater) {
        outstanding.decrementAndGet();
        inflater.reset();
        lock.lock();
        try {
            if (inflaters.size() < capacity) {
                inflaters.push(inflater);
                return;
            }
        } finally {
            lock.unlock();
        }
        inflater.end();
    }
}
