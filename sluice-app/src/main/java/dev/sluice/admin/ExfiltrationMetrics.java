package dev.sluice.admin;

import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.config.ModelConfig;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Time to exfiltrate the weights, the figures that say whether the budgets do their job: the
 * weights' size, the days they would take to leave at each cap, the site's egress rate over the
 * last minute and the days they would take to leave at that rate; and the same for the smallest
 * useful copy of the weights ({@code model.smallest_useful_copy}: lossy compression shrinks stolen
 * weights 16 to 100 times, Brown et al. 2026), which is what a thief needs to move. See {@link
 * Exfiltration}.
 */
final class ExfiltrationMetrics {

  private ExfiltrationMetrics() {}

  static void register(
      PrometheusRegistry registry, BudgetTree tree, ModelConfig model, EgressRate rate) {
    long weightBytes = model.weightBytes();
    long copyBytes = model.smallestUsefulCopyBytes();
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
    NodeMetrics.gauge(
        registry,
        "sluice_smallest_useful_copy_bytes",
        "Size of the smallest useful copy of the weights (model.smallest_useful_copy).",
        () -> copyBytes);
    GaugeWithCallback.builder()
        .name("sluice_exfiltration_copy_days_at_cap")
        .help(
            "Days for the smallest useful copy of the weights to leave if this cap were spent in"
                + " full every period (copy / cap x period in days); lifetime: +Inf below the copy,"
                + " 0 at or above.")
        .labelNames("node", "window")
        .callback(
            cb -> {
              for (BudgetNode n : tree.nodes()) {
                for (Limit l : n.limits()) {
                  cb.call(
                      Exfiltration.daysAtCap(copyBytes, l.window(), l.cap()),
                      n.id(),
                      l.window().label());
                }
              }
            })
        .register(registry);
    NodeMetrics.gauge(
        registry,
        "sluice_exfiltration_copy_days_at_current_rate",
        "Days for the smallest useful copy of the weights to leave at the current egress rate;"
            + " +Inf at rate 0.",
        () -> Exfiltration.daysAtRate(copyBytes, rate.bytesPerSecond()));
  }
}
