package dev.sluice.gateway.stats;

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

  /** Links open now, and streams open on them. */
  public final LongAdder linksOpen = new LongAdder();

  public final LongAdder streamsOpen = new LongAdder();

  /** Batches written on links (each one write and flush), those with a codec FRAME, their bytes. */
  public final LongAdder batches = new LongAdder();

  public final LongAdder frames = new LongAdder();
  public final LongAdder batchBytes = new LongAdder();

  /** Times a stream's frame share waited for its tenant's escrow to refill. */
  public final LongAdder escrowWaits = new LongAdder();

  /**
   * Bytes charged that were not written: given back too late to be refunded (the escrow set was
   * settled meanwhile), or a batch whose size differed from its prediction. Expected 0.
   */
  public final LongAdder overcharged = new LongAdder();

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

  /** The tenant node id ({@code tenant:Z/T}) an account charges, or null (control, site). */
  public static String tenantOf(dev.sluice.escrow.EscrowAccount a) {
    java.util.List<String> ids = a.path().nodeIds();
    return ids.size() > 2 && ids.get(2).startsWith("tenant:") ? ids.get(2) : null;
  }

  public void overcharged(long n) {
    overcharged.add(n);
  }

  public void mismatch(long n) {
    overcharged.add(n);
  }

  public void escrowWait() {
    escrowWaits.increment();
  }

  /** One batch of {@code bytes} written on a link; {@code frame}: it carried a codec FRAME. */
  public void frame(long bytes, boolean frame) {
    batches.increment();
    batchBytes.add(bytes);
    if (frame) {
      frames.increment();
    }
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
