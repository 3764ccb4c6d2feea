package dev.sluice.admin;

import dev.sluice.budget.BudgetTree;
import dev.sluice.escrow.Escrow;
import dev.sluice.store.BudgetReport;
import dev.sluice.store.BudgetStore;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.function.ToLongFunction;

/**
 * {@code sluice_budget_{cap,spent,sent,remaining}_bytes{node,window}}: every limit of every node,
 * from one {@link BudgetReport} per scrape, so the four series of a scrape agree with each other
 * ({@code remaining = cap - spent}, floored at 0).
 */
final class BudgetMetrics implements MultiCollector {

  static final String CAP = "sluice_budget_cap_bytes";
  static final String SPENT = "sluice_budget_spent_bytes";
  static final String SENT = "sluice_budget_sent_bytes";
  static final String REMAINING = "sluice_budget_remaining_bytes";

  private final BudgetTree tree;
  private final BudgetStore store;
  private final Escrow escrow;

  BudgetMetrics(BudgetTree tree, BudgetStore store, Escrow escrow) {
    this.tree = tree;
    this.store = store;
    this.escrow = escrow;
  }

  @Override
  public MetricSnapshots collect() {
    BudgetReport report = BudgetReport.of(tree, store, escrow);
    return MetricSnapshots.of(
        gauge(report, CAP, "Cap of the limit in bytes per period.", BudgetReport.LimitReport::cap),
        gauge(
            report,
            SPENT,
            "Bytes committed against the cap in the current period: sent plus escrow granted and"
                + " not returned.",
            BudgetReport.LimitReport::spent),
        gauge(
            report,
            SENT,
            "Bytes that left in the current period (settled plus charged from escrow held here).",
            BudgetReport.LimitReport::sent),
        gauge(
            report,
            REMAINING,
            "Bytes that can still be granted in the current period: cap minus spent.",
            BudgetReport.LimitReport::remaining));
  }

  private static GaugeSnapshot gauge(
      BudgetReport report,
      String name,
      String help,
      ToLongFunction<BudgetReport.LimitReport> value) {
    GaugeSnapshot.Builder g = GaugeSnapshot.builder().name(name).help(help);
    for (BudgetReport.NodeReport n : report.nodes()) {
      for (BudgetReport.LimitReport l : n.limits()) {
        g.dataPoint(
            GaugeDataPointSnapshot.builder()
                .labels(Labels.of("node", n.id(), "window", l.window().label()))
                .value(value.applyAsLong(l))
                .build());
      }
    }
    return g.build();
  }
}
