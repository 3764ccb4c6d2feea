package dev.sluice.gateway.reverse;

import dev.sluice.gateway.listener.ListenerContext;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Identity in reverse mode: the tenant of a request is the value of the listener's tenant header
 * (set by the trusted API front end), or the zone's {@code default} tenant when the header is
 * absent or empty and the zone has one.
 */
final class TenantHeader {

  /** Who a request is for: {@code tenant} is null when no tenant of the zone applies. */
  record Identity(String tenant, String requested) {}

  private final ListenerContext lc;

  TenantHeader(ListenerContext lc) {
    this.lc = lc;
  }

  Identity identify(HttpRequest req) {
    String header = lc.config().tenantHeader();
    String requested = header == null ? null : req.headers().get(header);
    String t = lc.tenantOrDefault(requested == null || requested.isEmpty() ? null : requested);
    return new Identity(t, requested);
  }

  /** The message of the answer to a request with no tenant of the zone. */
  String unknown(Identity id) {
    return "no tenant "
        + (id.requested() == null ? "given in " + lc.config().tenantHeader() : id.requested())
        + " in zone "
        + lc.zone()
        + " and no default tenant";
  }
}
