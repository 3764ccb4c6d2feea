package dev.sluice.gateway.forward;

import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.SourceTenants;
import dev.sluice.gateway.refusal.Reason;
import java.net.InetAddress;

/**
 * Who a forward request is for. With {@code proxy_users} configured, only a valid {@code
 * Proxy-Authorization} identifies the client (its user's tenant); otherwise its source address
 * ({@code tenants_by_source}, longest prefix), else the zone's {@code default} tenant. Immutable.
 */
final class ProxyIdentity {

  /** A tenant, or the reason there is none. */
  record Identity(String tenant, Reason refusal, String detail) {}

  private final ListenerContext lc;
  private final SourceTenants sources;
  private final ProxyUsers users;

  ProxyIdentity(ListenerContext lc) {
    this.lc = lc;
    this.sources = new SourceTenants(lc.config().tenantsBySource());
    this.users = new ProxyUsers(lc.config().forward().proxyUsers());
  }

  Identity identify(InetAddress source, String proxyAuthorization) {
    if (users.required()) {
      ProxyUsers.Check c = users.check(proxyAuthorization);
      if (c.tenant() != null) {
        return new Identity(c.tenant(), null, null);
      }
      return c.missing()
          ? new Identity(null, Reason.PROXY_AUTH_REQUIRED, "this proxy needs credentials")
          : new Identity(null, Reason.PROXY_AUTH_INVALID, "unknown user or wrong password");
    }
    String bySource = source == null ? null : sources.tenantFor(source);
    String tenant = bySource != null ? bySource : lc.tenantOrDefault(null);
    if (tenant == null) {
      return new Identity(
          null,
          Reason.UNKNOWN_TENANT,
          "no tenant for this source address in zone " + lc.zone() + " and no default tenant");
    }
    return new Identity(tenant, null, null);
  }
}
