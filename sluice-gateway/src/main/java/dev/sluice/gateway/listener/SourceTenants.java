package dev.sluice.gateway.listener;

import dev.sluice.net.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Maps a client's source address to a tenant by the listener's {@code tenants_by_source}: the most
 * specific (longest prefix) network containing the address wins. Immutable.
 */
public final class SourceTenants {

  private record Entry(Cidr cidr, String tenant) {}

  private final List<Entry> entries;

  public SourceTenants(Map<String, String> tenantsBySource) {
    List<Entry> e = new ArrayList<>();
    tenantsBySource.forEach((cidr, tenant) -> e.add(new Entry(Cidr.parse(cidr), tenant)));
    e.sort(Comparator.comparingInt((Entry x) -> x.cidr().prefixLength()).reversed());
    this.entries = List.copyOf(e);
  }

  /** The tenant of {@code source}, or null when no configured network contains it. */
  public String tenantFor(InetAddress source) {
    for (Entry e : entries) {
      if (e.cidr().contains(source)) {
        return e.tenant();
      }
    }
    return null;
  }
}
