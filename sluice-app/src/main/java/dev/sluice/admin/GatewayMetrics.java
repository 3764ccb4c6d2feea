package dev.sluice.admin;

import dev.sluice.gateway.stats.EdgeStats;
import dev.sluice.gateway.stats.GatewayStats;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The data plane's counters ({@link GatewayStats}) as Prometheus series, read at scrape time: per
 * listener connections and bytes, denials by reason, control bytes. The data plane only bumps its
 * {@code LongAdder}s; nothing here runs on its threads.
 */
final class GatewayMetrics {

  private GatewayMetrics() {}

  static void register(PrometheusRegistry registry, GatewayStats stats) {
    GaugeWithCallback.builder()
        .name("sluice_connections_open")
        .help("Connections open now, per listener.")
        .labelNames("listener")
        .callback(cb -> perListener(stats, s -> s.connectionsOpen, cb::call))
        .register(registry);
    counter(
        registry,
        stats,
        "sluice_connections",
        "Connections accepted, per listener.",
        s -> s.connectionsTotal);
    counter(
        registry,
        stats,
        "sluice_egress_bytes",
        "Bytes written toward the outside (every one charged first), per listener.",
        s -> s.bytesOut);
    counter(
        registry,
        stats,
        "sluice_ingress_bytes",
        "Bytes read from the inside (not metered), per listener.",
        s -> s.bytesIn);
    counter(
        registry,
        stats,
        "sluice_would_deny_bytes",
        "Bytes that left in report mode although a cap would have refused them, per listener.",
        s -> s.wouldDenyBytes);
    counter(
        registry,
        stats,
        "sluice_lookups_sent",
        "Forward listeners: destination name lookups sent, each charged first, per listener.",
        s -> s.lookupsSent);
    counter(
        registry,
        stats,
        "sluice_lookup_cache_hits",
        "Forward listeners: lookups answered from the cache (nothing sent, nothing charged).",
        s -> s.lookupCacheHits);
    counter(
        registry,
        stats,
        "sluice_lookup_bytes_charged",
        "Forward listeners: bytes charged for lookups (the upper bound of each), per listener.",
        s -> s.lookupBytes);
    CounterWithCallback.builder()
        .name("sluice_connections_closed")
        .help(
            "Connections a listener closed on its own for a timeout or a connection cap, per"
                + " listener and reason (request_head_timeout, request_body_timeout, idle_timeout,"
                + " upstream_connect_timeout, upstream_first_byte_timeout, tunnel_idle_timeout,"
                + " source_connection_limit, tenant_connection_limit).")
        .labelNames("listener", "reason")
        .callback(
            cb -> {
              for (Map.Entry<String, GatewayStats.ListenerStats> l : stats.listeners().entrySet()) {
                for (Map.Entry<String, LongAdder> e : l.getValue().closed().entrySet()) {
                  cb.call(e.getValue().sum(), l.getKey(), e.getKey());
                }
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("sluice_detections")
        .help(
            "Findings of the scan stage: model weights in egress, by listener, zone, kind"
                + " (fingerprint or tensor) and action (block or alert).")
        .labelNames("listener", "zone", "kind", "action")
        .callback(
            cb -> {
              for (Map.Entry<dev.sluice.gateway.stats.DetectionStats.Key, LongAdder> e :
                  stats.detections().counts().entrySet()) {
                dev.sluice.gateway.stats.DetectionStats.Key k = e.getKey();
                cb.call(e.getValue().sum(), k.listener(), k.zone(), k.kind(), k.action());
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("sluice_denials")
        .help("Refused requests or connections and cut streams, by reason.")
        .labelNames("reason")
        .callback(
            cb -> {
              for (Map.Entry<String, LongAdder> e : stats.denials().entrySet()) {
                cb.call(e.getValue().sum(), e.getKey());
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("sluice_egress_probe_bytes")
        .help(
            "Plain egress bytes of a tenant that the compressibility probe counted (every listener;"
                + " not CONNECT tunnels).")
        .labelNames("zone", "tenant")
        .callback(cb -> perTenant(stats.probe().tenants(), t -> t.raw, cb::call))
        .register(registry);
    CounterWithCallback.builder()
        .name("sluice_egress_probe_compressed_bytes")
        .help(
            "The probe's estimate of what a tenant's counted egress bytes compress to; the ratio to"
                + " sluice_egress_probe_bytes_total is the incompressible-egress signal.")
        .labelNames("zone", "tenant")
        .callback(cb -> perTenant(stats.probe().tenants(), t -> t.compressed, cb::call))
        .register(registry);
    CounterWithCallback.builder()
        .name("sluice_edge_raw_bytes")
        .help(
            "Bytes the HTTP layer of peer: edge listeners wrote for a tenant, before the codec"
                + " (what a direct connection would have carried).")
        .labelNames("zone", "tenant")
        .callback(cb -> perEdgeTenant(stats, t -> t.raw, cb::call))
        .register(registry);
    CounterWithCallback.builder()
        .name("sluice_edge_wire_bytes")
        .help(
            "Edge link bytes written and charged for a tenant: its exact shares of the frames that"
                + " carried its streams (header, codec payload, CRC, TLS records) and their END and"
                + " RESET.")
        .labelNames("zone", "tenant")
        .callback(cb -> perEdgeTenant(stats, t -> t.wire, cb::call))
        .register(registry);
    CounterWithCallback.builder()
        .name("sluice_edge_link_failures")
        .help("Edge links that ended in failure, by reason.")
        .labelNames("reason")
        .callback(
            cb -> {
              for (Map.Entry<String, LongAdder> e : stats.edge().failures().entrySet()) {
                cb.call(e.getValue().sum(), e.getKey());
              }
            })
        .register(registry);
    gauge(registry, "sluice_edge_links_open", "Edge links open now.", stats.edge().linksOpen);
    gauge(
        registry,
        "sluice_edge_streams_open",
        "Client connections carried as streams of edge links now.",
        stats.edge().streamsOpen);
    plain(
        registry,
        "sluice_edge_batches",
        "Writes on edge links (each paid for whole, then written and flushed).",
        stats.edge().batches);
    plain(
        registry,
        "sluice_edge_frames",
        "Codec frames written on edge links (each carries the data of one or more streams).",
        stats.edge().frames);
    plain(
        registry,
        "sluice_edge_batch_bytes",
        "Bytes of those writes, TLS records included: divided by sluice_edge_batches, the bytes"
            + " per write.",
        stats.edge().batchBytes);
    plain(
        registry,
        "sluice_edge_escrow_waits",
        "Times a stream's share of a frame waited for its tenant's escrow to refill.",
        stats.edge().escrowWaits);
    plain(
        registry,
        "sluice_edge_overcharged_bytes",
        "Bytes charged on edge links that were never written (kept counted: never under-count)."
            + " Expected 0.",
        stats.edge().overcharged);
    CounterWithCallback.builder()
        .name("sluice_control_bytes")
        .help("Bytes of denial responses paid from the control allowance.")
        .callback(cb -> cb.call(stats.controlBytes()))
        .register(registry);
  }

  private static void counter(
      PrometheusRegistry registry,
      GatewayStats stats,
      String name,
      String help,
      Function<GatewayStats.ListenerStats, LongAdder> counter) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("listener")
        .callback(cb -> perListener(stats, counter, cb::call))
        .register(registry);
  }

  private static void gauge(PrometheusRegistry registry, String name, String help, LongAdder v) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(v.sum()))
        .register(registry);
  }

  private static void plain(PrometheusRegistry registry, String name, String help, LongAdder v) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(v.sum()))
        .register(registry);
  }

  /** Receives one value with its label values. */
  @FunctionalInterface
  private interface Sink {
    void call(double value, String... labels);
  }

  /** One value per tenant that used an edge link, labelled zone and tenant. */
  private static void perEdgeTenant(
      GatewayStats stats, Function<EdgeStats.Tenant, LongAdder> counter, Sink sink) {
    perTenant(stats.edge().tenants(), counter, sink);
  }

  /**
   * One value per tenant node id ({@code tenant:Z/T}) of {@code tenants}, labelled zone, tenant.
   */
  private static <T> void perTenant(
      Map<String, T> tenants, Function<T, LongAdder> counter, Sink sink) {
    for (Map.Entry<String, T> e : tenants.entrySet()) {
      String zt = e.getKey().substring("tenant:".length());
      int slash = zt.indexOf('/');
      sink.call(counter.apply(e.getValue()).sum(), zt.substring(0, slash), zt.substring(slash + 1));
    }
  }

  private static void perListener(
      GatewayStats stats, Function<GatewayStats.ListenerStats, LongAdder> counter, Sink sink) {
    for (Map.Entry<String, GatewayStats.ListenerStats> e : stats.listeners().entrySet()) {
      sink.call(counter.apply(e.getValue()).sum(), e.getKey());
    }
  }
}
