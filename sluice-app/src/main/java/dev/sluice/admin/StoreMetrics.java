package dev.sluice.admin;

import dev.sluice.cluster.EtcdBudgetStore;
import dev.sluice.cluster.EtcdStoreStats;
import dev.sluice.cluster.NodeEscrow;
import dev.sluice.store.GrantObserver;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The shared budget store as Prometheus series: grant latency by outcome (its {@code _count} gives
 * grants per second), this node's etcd counters, and every gateway node's escrow as etcd records
 * it, so one node's scrape shows the escrow a dead or partitioned node stranded.
 *
 * <p>It is the store's {@link GrantObserver}: created before the store opens, registered with the
 * admin registry once the admin server starts. Observations are a lock-free histogram update.
 */
public final class StoreMetrics implements GrantObserver {

  private static final double NANOS_PER_SECOND = 1e9;

  private final Histogram grants =
      Histogram.builder()
          .name("sluice_store_grant_seconds")
          .help(
              "Time from asking the budget store for escrow to its answer, by outcome (granted,"
                  + " denied, unavailable).")
          .labelNames("outcome")
          .classicOnly()
          .classicUpperBounds(
              0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
          .build();

  @Override
  public void onGrant(long latencyNanos, String outcome, long amount) {
    grants.labelValues(outcome).observe(Math.max(0, latencyNanos) / NANOS_PER_SECOND);
  }

  /** Registers the grant histogram and, for an etcd store, the cluster series. */
  void register(PrometheusRegistry registry, EtcdBudgetStore cluster) {
    registry.register(grants);
    if (cluster == null) {
      return;
    }
    counter(
        registry,
        "sluice_store_conflicts_retried",
        "Grant transactions retried because another node changed a counter first.",
        cluster,
        EtcdStoreStats::conflictsRetried);
    gauge(
        registry,
        "sluice_store_pending_settlements",
        "Settlements not yet durable in etcd, retried in the background (their escrow stays"
            + " counted as spent meanwhile).",
        cluster,
        EtcdStoreStats::pendingSettlements);
    gauge(
        registry,
        "sluice_store_owed_ledger_entries",
        "Ledger entries of transactions committed in etcd that the ledger refused (not writable:"
            + " a full disk), kept and appended once it is writable again.",
        cluster,
        EtcdStoreStats::owedLedgerEntries);
    gauge(
        registry,
        "sluice_store_uncertain_grants",
        "Grants sent to etcd whose outcome is not known yet (counted as spent until resolved).",
        cluster,
        EtcdStoreStats::uncertainGrants);
    perNode(
        registry,
        "sluice_cluster_node_live",
        "1 while the gateway node's liveness key exists in etcd (its lease is kept alive).",
        cluster,
        n -> n.live() ? 1 : 0);
    perNode(
        registry,
        "sluice_cluster_escrow_held_bytes",
        "Escrow each gateway node holds according to etcd: granted minus reported sent over its"
            + " open sets.",
        cluster,
        n -> n.heldBytes());
    perNode(
        registry,
        "sluice_cluster_escrow_expired_bytes",
        "Escrow of each gateway node's open sets whose expiry has passed: stranded by a dead or"
            + " partitioned node (or not yet settled by a live one); counted as spent.",
        cluster,
        n -> n.expiredBytes());
    perNode(
        registry,
        "sluice_cluster_open_sets",
        "Escrow sets each gateway node has open in etcd.",
        cluster,
        n -> n.openSets());
  }

  private static void gauge(
      PrometheusRegistry registry,
      String name,
      String help,
      EtcdBudgetStore cluster,
      ToDoubleFunction<EtcdStoreStats> read) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(read.applyAsDouble(cluster.stats())))
        .register(registry);
  }

  private static void counter(
      PrometheusRegistry registry,
      String name,
      String help,
      EtcdBudgetStore cluster,
      ToDoubleFunction<EtcdStoreStats> read) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(read.applyAsDouble(cluster.stats())))
        .register(registry);
  }

  private static void perNode(
      PrometheusRegistry registry,
      String name,
      String help,
      EtcdBudgetStore cluster,
      ToDoubleFunction<NodeEscrow> read) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("gateway_node")
        .callback(
            cb -> {
              for (NodeEscrow n : cluster.nodes()) {
                cb.call(read.applyAsDouble(n), n.nodeId());
              }
            })
        .register(registry);
  }
}
