package dev.sluice.gateway.reverse;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The upstreams of a reverse listener, handed out round robin. A connection attempt that is refused
 * moves on to the next one; only when every upstream refused does the client get a 502.
 * Thread-safe.
 */
final class UpstreamTargets {

  /** One upstream: where to connect, whether with TLS, and the path prefix to put before URIs. */
  record Target(String host, int port, boolean tls, String basePath) {
    String authority() {
      boolean defaultPort = port == (tls ? 443 : 80);
      String h = host.contains(":") ? "[" + host + "]" : host;
      return defaultPort ? h : h + ":" + port;
    }

    @Override
    public String toString() {
      return (tls ? "https://" : "http://") + authority() + basePath;
    }
  }

  private final List<Target> targets;
  private final AtomicInteger next = new AtomicInteger();

  UpstreamTargets(List<String> urls) {
    List<Target> t = new ArrayList<>();
    for (String u : urls) {
      URI uri = URI.create(u);
      boolean tls = "https".equalsIgnoreCase(uri.getScheme());
      int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
      String host = uri.getHost();
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      t.add(new Target(host, port, tls, path));
    }
    if (t.isEmpty()) {
      throw new IllegalArgumentException("a reverse listener needs at least one upstream");
    }
    this.targets = List.copyOf(t);
  }

  int size() {
    return targets.size();
  }

  /** The next target in round-robin order. */
  Target next() {
    return targets.get(Math.floorMod(next.getAndIncrement(), targets.size()));
  }

  boolean anyTls() {
    return targets.stream().anyMatch(Target::tls);
  }
}
