package dev.duplex.interop;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test started (peer processes, servers, connections), closed in reverse order when the test ends. Every
 * resource is closed even when an earlier one fails to close; the first failure is thrown afterwards.
 */
final class Closer implements AutoCloseable {

    private final List<AutoCloseable> resources = new ArrayList<>();

    /** Closes {@code resource} when this closes; returns it. */
    <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        resources.clear();
        if (first != null) {
            throw first;
        }
    }
}
