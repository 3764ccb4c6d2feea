package dev.sluice.gateway.listener;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connection caps of one listener ({@code connection_limits}): how many connections are open
 * per source address and per tenant, each against its cap. Counted per listener, not gateway-wide:
 * a tenant's name means something only in its listener's zone, and the caps of one listener can be
 * raised without raising another's (the node's bound is the sum over listeners). Each connection
 * holds a {@link Lease} and gives it back at close. Thread-safe; a lease is event-loop only.
 */
public final class ConnectionCaps {

  private final int perSource;
  private final int perTenant;
  private final ConcurrentHashMap<InetAddress, Integer> bySource = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Integer> byTenant = new ConcurrentHashMap<>();

  public ConnectionCaps(int perSource, int perTenant) {
    this.perSource = perSource;
    this.perTenant = perTenant;
  }

  /** A connection's lease, holding nothing yet. */
  public Lease lease() {
    return new Lease();
  }

  /** Connections open now from {@code source} (for tests and status). */
  public int openFrom(InetAddress source) {
    return bySource.getOrDefault(source, 0);
  }

  /** Connections open now that carry {@code tenant}. */
  public int openFor(String tenant) {
    return byTenant.getOrDefault(tenant, 0);
  }

  private static <K> boolean take(ConcurrentHashMap<K, Integer> m, K key, int cap) {
    boolean[] taken = {false};
    m.compute(
        key,
        (k, n) -> {
          int now = n == null ? 0 : n;
          if (now >= cap) {
            return n;
          }
          taken[0] = true;
          return now + 1;
        });
    return taken[0];
  }

  private static <K> void give(ConcurrentHashMap<K, Integer> m, K key) {
    m.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** What one connection holds: one slot of its source, one of each tenant it carried. */
  public final class Lease {
    private InetAddress source;
    private final Set<String> tenants = new HashSet<>();
    private boolean released;

    private Lease() {}

    /** Takes a slot of {@code source}; false (nothing taken) when the source is at its cap. */
    public boolean source(InetAddress s) {
      if (released || source != null) {
        return true;
      }
      if (!take(bySource, s, perSource)) {
        return false;
      }
      source = s;
      return true;
    }

    /**
     * Takes a slot of {@code tenant} unless this connection holds one already; false when the
     * tenant is at its cap.
     */
    public boolean tenant(String tenant) {
      if (released || tenants.contains(tenant)) {
        return true;
      }
      if (!take(byTenant, tenant, perTenant)) {
        return false;
      }
      tenants.add(tenant);
      return true;
    }

    /** Gives every slot back (at close); idempotent. */
    public void release() {
      if (released) {
        return;
      }
      released = true;
      if (source != null) {
        give(bySource, source);
      }
      for (String t : tenants) {
        give(byTenant, t);
      }
    }
  }
}
