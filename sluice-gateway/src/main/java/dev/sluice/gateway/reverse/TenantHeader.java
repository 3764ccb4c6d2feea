package dev.sluice.gateway.reverse;

import dev.sluice.gateway.listener.ListenerContext;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Identity in reverse mode: the tenant of a request is the value of the listener's tenant header
 * (set by the trusted API front end), or the zone's {@code default} tenant when the header is
 * absent or empty and the zone has one. A request with the header more than once names no tenant:
 * it is refused ({@code duplicate_identity_header}), since the upstream might read the other one.
 */
final class TenantHeader {

  /**
   * Who a request is for: {@code tenant} is null when no tenant of the zone applies; {@code
   * repeated} (then {@code tenant} is null too) says the tenant header appears more than once.
   */
  record Identity(String tenant, String requested, String repeated) {}

  private final ListenerContext lc;

  TenantHeader(ListenerContext lc) {
    this.lc = lc;
  }

  Identity identify(HttpRequest req) {
    String header = lc.config().tenantHeader();
    String repeated = header == null ? null : RequestFraming.repeated(req.headers(), header);
    if (repeated != null) {
      return new Identity(null, null, repeated);
    }
    String requested = header == null ? null : req.headers().get(header);
    String t = lc.tenantOrDefault(requested == null || requested.isEmpty() ? null : requested);
    return new Identity(t, requested, null);
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
