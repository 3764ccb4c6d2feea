package dev.sluice.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.Limit;
import dev.sluice.ledger.Checkpoint;
import java.util.Locale;

/**
 * The JSON bodies the dashboard reads besides {@code /api/budgets} and {@code /api/events}:
 *
 * <ul>
 *   <li>{@code GET /api/rates}: the egress rate history of {@link RateHistory}, {@code
 *       {"step_seconds":10,"times":[ISO-8601,..],"series":[{"id":"tenant:inference/acme",
 *       "kind":"tenant","bytes_per_second":[..]},..]}}, one value per time, oldest first;
 *   <li>{@code GET /api/exfiltration}: the figures of {@link ExfiltrationMetrics}, {@code
 *       {"weights_bytes":..,"egress_rate_bytes_per_second":..,"days_at_current_rate":..,
 *       "limits":[{"node":"site","window":"day","cap":..,"days_at_cap":..},..]}}, where a day count
 *       of {@code null} means never ({@code +Inf} in {@code /metrics});
 *   <li>{@code GET /api/checkpoint}: the newest signed checkpoint of this node's ledger, {@code
 *       {"ledger_size":..,"checkpoint":{"size":..,"root":hex,"time":ISO-8601,"age_seconds":..}}}
 *       ({@code checkpoint} is null before the first one), its age on the node's clock.
 * </ul>
 *
 * Display only: floating point is fine here.
 */
final class DashboardJson {

  private DashboardJson() {}

  static ObjectNode rates(RateHistory.Snapshot s) {
    ObjectNode root = Json.object().put("step_seconds", RateHistory.STEP.toSeconds());
    ArrayNode times = root.putArray("times");
    for (long t : s.timesMillis()) {
      times.add(java.time.Instant.ofEpochMilli(t).toString());
    }
    ArrayNode series = root.putArray("series");
    for (RateHistory.Series r : s.series()) {
      ObjectNode o =
          series
              .addObject()
              .put("id", r.id())
              .put("kind", r.kind().name().toLowerCase(Locale.ROOT));
      ArrayNode values = o.putArray("bytes_per_second");
      for (long v : r.bytesPerSecond()) {
        values.add(v);
      }
    }
    return root;
  }

  static ObjectNode exfiltration(AdminContext ctx, EgressRate rate) {
    long weights = ctx.config().model().weightBytes();
    double bps = rate.bytesPerSecond();
    ObjectNode root =
        Json.object().put("weights_bytes", weights).put("egress_rate_bytes_per_second", bps);
    putDays(root, "days_at_current_rate", Exfiltration.daysAtRate(weights, bps));
    ArrayNode limits = root.putArray("limits");
    for (BudgetNode n : ctx.tree().nodes()) {
      for (Limit l : n.limits()) {
        ObjectNode o =
            limits
                .addObject()
                .put("node", n.id())
                .put("window", l.window().label())
                .put("cap", l.cap());
        putDays(o, "days_at_cap", Exfiltration.daysAtCap(weights, l.window(), l.cap()));
      }
    }
    return root;
  }

  static ObjectNode checkpoint(AdminContext ctx) {
    ObjectNode root = Json.object().put("ledger_size", ctx.ledger().size());
    Checkpoint c = ctx.ledger().latestCheckpoint();
    if (c == null) {
      root.putNull("checkpoint");
      return root;
    }
    ObjectNode o = root.putObject("checkpoint").put("size", c.size()).put("root", c.root().hex());
    Json.putInstant(o, "time", c.timeMillis());
    o.put("age_seconds", Math.max(0, ctx.clock().millis() - c.timeMillis()) / 1000);
    return root;
  }

  private static void putDays(ObjectNode o, String key, double days) {
    if (Double.isInfinite(days) || Double.isNaN(days)) {
      o.putNull(key);
    } else {
      o.put(key, days);
    }
  }
}
