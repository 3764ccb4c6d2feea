package dev.sluice.alert;

import dev.sluice.config.AlertsConfig;
import dev.sluice.config.Durations;
import dev.sluice.gateway.stats.ProbeStats;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The incompressible-egress condition, per tenant: over {@code incompressible.window}, at least
 * {@code min_bytes} of the tenant's egress went through the compressibility probe ({@link
 * ProbeStats}) and the probe's estimated compressed size of it is above {@code ratio} of it.
 *
 * <p>Each evaluation adds one sample (raw and compressed counters) per tenant; the window's figures
 * are the differences from the oldest sample within the window. A tenant seen for the first time
 * starts from zero at the previous evaluation (its counters were zero then), so a stream that began
 * between two evaluations counts whole. Until the history spans the window, the figures are since
 * the first sample: a sustained stream fires as soon as {@code min_bytes} of it left. Resolves when
 * the condition no longer holds (the stream stopped or became compressible). Floating point is
 * fine: the ratio decides an alert, never whether a byte may leave. Not thread-safe: the evaluation
 * thread owns it.
 */
final class IncompressibleConditions {

  static final String NAME = "SluiceIncompressibleEgress";

  private record Sample(long nanos, long raw, long compressed) {}

  private final AlertsConfig.Incompressible config;
  private final Map<String, ArrayDeque<Sample>> history = new HashMap<>();
  private long lastNanos;
  private boolean evaluated;

  /** {@code config} null: the alert is off, {@link #collect} adds nothing. */
  IncompressibleConditions(AlertsConfig.Incompressible config) {
    this.config = config;
  }

  void collect(long nanos, ProbeStats probe, Map<String, String> base, List<Condition> out) {
    Objects.requireNonNull(probe, "probe");
    if (config == null) {
      return;
    }
    for (Map.Entry<String, ProbeStats.Tenant> e : probe.tenants().entrySet()) {
      // compressed first: it is added after raw, so it never runs ahead of the raw it belongs to
      long compressed = e.getValue().compressed.sum();
      long raw = e.getValue().raw.sum();
      check(e.getKey(), nanos, raw, compressed, base, out);
    }
    lastNanos = nanos;
    evaluated = true;
  }

  private void check(
      String tenantId,
      long nanos,
      long raw,
      long compressed,
      Map<String, String> base,
      List<Condition> out) {
    ArrayDeque<Sample> h = history.get(tenantId);
    if (h == null) {
      h = new ArrayDeque<>();
      if (evaluated && lastNanos < nanos) {
        h.add(new Sample(lastNanos, 0, 0));
      }
      history.put(tenantId, h);
    }
    if (h.peekLast() != null && h.peekLast().nanos() >= nanos) {
      h.removeLast();
    }
    h.addLast(new Sample(nanos, raw, compressed));
    long from = nanos - config.window().toNanos();
    while (h.size() > 1 && h.peekFirst().nanos() < from) {
      h.removeFirst();
    }
    Sample first = h.peekFirst();
    long dRaw = raw - first.raw();
    long dCompressed = compressed - first.compressed();
    if (dRaw < config.minBytes() || dRaw <= 0) {
      return;
    }
    double ratio = (double) dCompressed / dRaw;
    if (ratio <= config.ratio()) {
      return;
    }
    String zt = tenantId.substring("tenant:".length());
    int slash = zt.indexOf('/');
    String zone = zt.substring(0, slash);
    String tenant = zt.substring(slash + 1);
    Map<String, String> labels = new LinkedHashMap<>(base);
    labels.put("alertname", NAME);
    labels.put("severity", "warning");
    labels.put("zone", zone);
    labels.put("tenant", tenant);
    out.add(
        new Condition(
            "incompressible|" + tenantId,
            labels,
            tenantId + " egress does not compress",
            String.format(
                Locale.ROOT,
                "%s: %d bytes over the last %s, estimated to compress to %.3f of their size"
                    + " (alert above %.2f and at least %d bytes): encrypted, packed or weight data?",
                tenantId,
                dRaw,
                Durations.format(config.window()),
                ratio,
                config.ratio(),
                config.minBytes()),
            -1));
  }
}
