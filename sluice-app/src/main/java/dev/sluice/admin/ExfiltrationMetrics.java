package dev.sluice.admin;

import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Time to exfiltrate the weights, the figures that say whether the budgets do their job: the
 * weights' size, the days they would take to leave at each cap, the site's egress rate over the
 * last minute and the days they would take to leave at that rate. See {@link Exfiltration}.
 */
final class ExfiltrationMetrics {

  private ExfiltrationMetrics() {}

  static void register(
      PrometheusRegistry registry, BudgetTree tree, long weightBytes, EgressRate rate) {
    NodeMetrics.gauge(
        registry,
        "sluice_weights_bytes",
        "Size of the model's weights (model.weight_bytes).",
        () -> weightBytes);
    GaugeWithCallback.builder()
        .name("sluice_exfiltration_days_at_cap")
        .help(
            "Days for the weights to leave if this cap were spent in full every period (weights /"
                + " cap x period in days); lifetime: +Inf below the weights, 0 at or above.")
        .labelNames("node", "window")
        .callback(
            cb -> {
              for (BudgetNode n : tree.nodes()) {
                for (Limit l : n.limits()) {
                  cb.call(
                      Exfiltration.daysAtCap(weightBytes, l.window(), l.cap()),
                      n.id(),
                      l.window().label());
                }
              }
            })
        .register(registry);
    NodeMetrics.gauge(
        registry,
        "sluice_egress_rate_bytes_per_second",
        "Site egress rate over the last minute (all listeners).",
        rate::bytesPerSecond);
    NodeMetrics.gauge(
        registry,
        "sluice_exfiltration_days_at_current_rate",
        "Days for the weights to leave at the current egress rate; +Inf at rate 0.",
        () -> Exfiltration.daysAtRate(weightBytes, rate.bytesPerSecond()));
  }
}
