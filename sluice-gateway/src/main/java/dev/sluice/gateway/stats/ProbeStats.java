package dev.sluice.gateway.stats;

import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the compressibility probe ({@code meter.EgressProbe}), per tenant: the plain bytes
 * the probe counted and their estimated compressed size. Their ratio over a window is the
 * incompressible-egress signal ({@code sluice_egress_probe_bytes_total} and {@code
 * sluice_egress_probe_compressed_bytes_total}, the {@code SluiceIncompressibleEgress} alert).
 * Thread-safe; bumped on the event loops, read at scrape and alert evaluation time.
 */
public final class ProbeStats {

  /** The probe's counters of one tenant. */
  public static final class Tenant {
    /** Plain egress bytes the probe counted. */
    public final LongAdder raw = new LongAdder();

    /** Their estimated compressed size. */
    public final LongAdder compressed = new LongAdder();

    /** Adds {@code raw} bytes estimated to compress to {@code compressed}. */
    public void add(long raw, long compressed) {
      this.raw.add(raw);
      this.compressed.add(compressed);
    }
  }

  private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();

  /** The counters of the tenant with budget node id {@code tenantNodeId} ({@code tenant:Z/T}). */
  public Tenant tenant(String tenantNodeId) {
    return tenants.computeIfAbsent(tenantNodeId, t -> new Tenant());
  }

  /** Per tenant node id ({@code tenant:Z/T}), the tenants the probe has counted bytes of. */
  public Map<String, Tenant> tenants() {
    return Collections.unmodifiableMap(tenants);
  }
}
