package dev.sluice.gateway.tcp;

import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.SourceTenants;
import java.net.InetAddress;

/**
 * Identity in tcp mode: the tenant of a connection is the one its source address maps to ({@code
 * tenants_by_source}), else the zone's {@code default} tenant, else none (the connection is
 * refused).
 */
final class SourceIdentity {

  private final ListenerContext lc;
  private final SourceTenants sources;

  SourceIdentity(ListenerContext lc, SourceTenants sources) {
    this.lc = lc;
    this.sources = sources;
  }

  /** The tenant of a connection from {@code source}, or null when no tenant of the zone applies. */
  String tenantOf(InetAddress source) {
    String bySource = sources.tenantFor(source);
    return bySource != null ? bySource : lc.tenantOrDefault(null);
  }
}
