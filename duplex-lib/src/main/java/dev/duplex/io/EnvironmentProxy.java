package dev.duplex.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The proxy settings of the environment, read as curl reads them: {@code https_proxy} for {@code wss://},
 * {@code http_proxy} for {@code ws://} (lower case first, then upper case), {@code no_proxy} as a comma-separated list
 * of hosts and domain suffixes to reach directly ({@code *} for all). A proxy without a port means port 1080.
 */
public final class EnvironmentProxy extends ProxySelector {

    private final Proxy http;
    private final Proxy https;
    private final List<String> noProxy;

    private EnvironmentProxy(Proxy http, Proxy https, List<String> noProxy) {
        this.http = http;
        this.https = https;
        this.noProxy = noProxy;
    }

    /** The settings in this environment (normally {@link System#getenv()}). */
    public static EnvironmentProxy fromEnvironment(Map<String, String> env) {
        List<String> noProxy = new ArrayList<>();
        String list = variable(env, "no_proxy");
        if (list != null) {
            for (String entry : list.split(",")) {
                String e = entry.strip().toLowerCase(Locale.ROOT);
                int colon = e.lastIndexOf(':');
                if (colon > 0 && !e.endsWith("]") && e.indexOf(':') == colon) {
                    e = e.substring(0, colon); // a port on a no_proxy entry is ignored
                }
                if (e.startsWith(".")) {
                    e = e.substring(1);
                }
                if (!e.isEmpty()) {
                    noProxy.add(e);
                }
            }
        }
        return new EnvironmentProxy(proxy(variable(env, "http_proxy")), proxy(variable(env, "https_proxy")),
                List.copyOf(noProxy));
    }

    private static String variable(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            v = env.get(name.toUpperCase(Locale.ROOT));
        }
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static Proxy proxy(String value) {
        if (value == null) {
            return null;
        }
        URI uri = URI.create(value.contains("://") ? value : "http://" + value);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("cannot read the proxy \"" + value + "\"");
        }
        int port = uri.getPort() < 0 ? 1080 : uri.getPort();
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(uri.getHost(), port));
    }

    @Override
    public List<Proxy> select(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        Proxy proxy = scheme.equals("wss") || scheme.equals("https") ? https : http;
        if (proxy == null || bypasses(uri.getHost())) {
            return List.of(Proxy.NO_PROXY);
        }
        return List.of(proxy);
    }

    private boolean bypasses(String host) {
        if (host == null) {
            return true;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        for (String entry : noProxy) {
            if (entry.equals("*") || h.equals(entry) || h.endsWith("." + entry)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException failure) {
    }
}
