package dev.sluice.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.halt.HaltState;
import dev.sluice.store.BudgetReport;
import java.util.List;
import java.util.Locale;

/**
 * The body of {@code GET /api/budgets}: the site, the mode, whether anything is halted and every
 * halt, and every node of the budget tree with each of its limits:
 *
 * <pre>{@code
 * {"site":"quickstart","mode":"enforce","halted":false,"halts":[],
 *  "nodes":[{"id":"site","limits":[{"window":"day","cap":810000000,"spent":..,"sent":..,
 *            "remaining":..,"resets_at":"2026-11-23T00:00:00Z"}, ..]}, ..]}
 * }</pre>
 *
 * <p>{@code halts} items are {@code {"scope":"site"|zone,"reason":..,"since":ISO-8601}}; {@code
 * resets_at} is null for lifetime limits. Values come from {@link BudgetReport}: {@code spent} is
 * committed against the cap (charged plus escrow held), {@code sent} what actually left.
 */
final class BudgetsJson {

  private BudgetsJson() {}

  static ObjectNode of(AdminContext ctx) {
    BudgetReport report = BudgetReport.of(ctx.tree(), ctx.store(), ctx.escrow());
    List<HaltState.Halt> halts = ctx.halts().active();
    ObjectNode root = Json.object();
    root.put("site", ctx.config().site());
    root.put("mode", ctx.config().mode().name().toLowerCase(Locale.ROOT));
    root.put("halted", !halts.isEmpty());
    root.set("halts", Json.halts(halts));
    ArrayNode nodes = root.putArray("nodes");
    for (BudgetReport.NodeReport n : report.nodes()) {
      ObjectNode node = nodes.addObject().put("id", n.id());
      ArrayNode limits = node.putArray("limits");
      for (BudgetReport.LimitReport l : n.limits()) {
        ObjectNode limit =
            limits
                .addObject()
                .put("window", l.window().label())
                .put("cap", l.cap())
                .put("spent", l.spent())
                .put("sent", l.sent())
                .put("remaining", l.remaining());
        Json.putInstant(limit, "resets_at", l.resetsAtMillis());
      }
    }
    return root;
  }
}
