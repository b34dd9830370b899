package dev.duplex.io;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Large read buffers lent to connections while data streams in. A connection reads into its own small buffer, which
 * is all an idle connection holds; when a read fills it, more is waiting, and the next read borrows one of these
 * instead, so that bulk transfers take few system calls without every connection keeping a large buffer.
 */
final class ReadBuffers {

    static final int SIZE = 64 * 1024;
    private static final int KEPT = Math.max(16, 8 * Runtime.getRuntime().availableProcessors());

    private static final ConcurrentLinkedQueue<byte[]> FREE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger FREE_COUNT = new AtomicInteger();

    private ReadBuffers() {
    }

    static byte[] take() {
        byte[] b = FREE.poll();
        if (b == null) {
            return new byte[SIZE];
        }
        FREE_COUNT.decrementAndGet();
        return b;
    }

    static void give(byte[] b) {
        if (FREE_COUNT.incrementAndGet() <= KEPT) {
            FREE.offer(b);
        } else {
            FREE_COUNT.decrementAndGet();
        }
    }
}
