package dev.sluice.gateway.edge;

import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the {@code peer: edge} listeners, read by the admin server at scrape time: per tenant
 * the <em>raw</em> bytes (what the HTTP layer wrote toward the edge, before the codec) and the
 * <em>wire</em> bytes (what the link carried for them and the meter charged: magic, frames, CRCs,
 * handshake), and link failures by reason. Their ratio is what the incompressible-egress detector
 * reads. Thread-safe; bumped on the event loops.
 */
public final class EdgeStats {

  /** Raw and wire bytes of one tenant. */
  public static final class Tenant {
    /** Bytes the HTTP layer wrote, before compression. */
    public final LongAdder raw = new LongAdder();

    /** Link bytes written for this tenant and charged to it. */
    public final LongAdder wire = new LongAdder();
  }

  private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

  /** The counters of the tenant with budget node id {@code tenantNodeId} ({@code tenant:Z/T}). */
  public Tenant tenant(String tenantNodeId) {
    return tenants.computeIfAbsent(tenantNodeId, t -> new Tenant());
  }

  /** Per tenant node id ({@code tenant:Z/T}), the tenants that sent anything over an edge link. */
  public Map<String, Tenant> tenants() {
    return Collections.unmodifiableMap(tenants);
  }

  /** Counts one link that ended in failure, by reason (see {@link GatewayLinkHandler}). */
  public void failed(String reason) {
    failures.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  /** Link failures so far by reason. */
  public Map<String, LongAdder> failures() {
    return Collections.unmodifiableMap(failures);
  }
}
