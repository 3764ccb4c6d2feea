package dev.sluice.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cluster.NodeEscrow;
import dev.sluice.config.ModelConfig;
import dev.sluice.gateway.stats.EdgeStats;
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
 * <p>{@code admin} is {@code {"bind":"host:port","tls":bool,"exposed":bool}}: {@code tls} is true
 * when the admin API speaks HTTPS ({@code admin.tls}); {@code exposed} is true when {@code
 * admin.bind} is not a loopback address and there is no TLS ({@code admin.plaintext_on_network}),
 * so the admin API (halt included) is reachable over plain HTTP from other hosts; {@code sluice
 * status} flags it.
 *
 * <p>{@code store} names the budget store ({@code {"type":"local"|"etcd","name":..,"node_id":..}});
 * with the etcd store, {@code gateway_nodes} lists every gateway node etcd knows of: {@code
 * {"node_id","live","open_sets","held","expired_sets","expired"}} ({@code expired}: escrow of sets
 * past their expiry, stranded by a dead or partitioned node and still counted as spent), and the
 * budget figures are cluster-wide.
 *
 * <p>A tenant that sent anything over an edge link ({@code peer: edge}) has {@code "edge":
 * {"raw":..,"compressed":..,"ratio":..}}: bytes its responses had before the codec, link bytes
 * charged for them (framing and handshake included), and compressed per raw byte (null while raw is
 * 0).
 *
 * <p>{@code exfiltration} is the time to exfiltrate, for the full weights and for their smallest
 * useful copy ({@code model.smallest_useful_copy}): {@code {"weights_bytes",
 * "smallest_useful_copy": {"bytes", "as_configured"}, "egress_rate_bytes_per_second",
 * "days_at_current_rate": {"weights", "smallest_useful_copy"}}}, and every limit has {@code
 * "exfiltration_days_at_cap": {"weights", "smallest_useful_copy"}} (days if that cap were spent in
 * full every period, see {@link Exfiltration}). A figure of {@code null} means never ({@code +Inf}
 * in {@code /metrics}).
 *
 * <p>{@code halts} items are {@code {"scope":"site"|zone,"reason":..,"since":ISO-8601}}; {@code
 * resets_at} is null for lifetime limits. Values come from {@link BudgetReport}: {@code spent} is
 * committed against the cap (charged plus escrow held), {@code sent} what actually left.
 */
final class BudgetsJson {

  private BudgetsJson() {}

  static ObjectNode of(AdminContext ctx, EgressRate rate) {
    ModelConfig model = ctx.config().model();
    long weights = model.weightBytes();
    long copy = model.smallestUsefulCopyBytes();
    BudgetReport report = BudgetReport.of(ctx.tree(), ctx.store(), ctx.escrow());
    List<HaltState.Halt> halts = ctx.halts().active();
    ObjectNode root = Json.object();
    root.put("site", ctx.config().site());
    root.put("mode", ctx.config().mode().name().toLowerCase(Locale.ROOT));
    root.put("halted", !halts.isEmpty());
    root.set("halts", Json.halts(halts));
    root.putObject("admin")
        .put("bind", ctx.config().admin().bind().toString())
        .put("tls", ctx.config().admin().tls() != null)
        .put("exposed", ctx.config().admin().exposed());
    ObjectNode store =
        root.putObject("store")
            .put("type", ctx.cluster().isPresent() ? "etcd" : "local")
            .put("name", ctx.store().name());
    if (ctx.config().store().nodeId() != null) {
      store.put("node_id", ctx.config().store().nodeId());
    }
    if (ctx.cluster().isPresent()) {
      ArrayNode gw = root.putArray("gateway_nodes");
      for (NodeEscrow n : ctx.cluster().get().nodes()) {
        gw.addObject()
            .put("node_id", n.nodeId())
            .put("live", n.live())
            .put("open_sets", n.openSets())
            .put("held", n.heldBytes())
            .put("expired_sets", n.expiredSets())
            .put("expired", n.expiredBytes());
      }
    }
    double bps = rate.bytesPerSecond();
    ObjectNode ex = root.putObject("exfiltration").put("weights_bytes", weights);
    ex.putObject("smallest_useful_copy")
        .put("bytes", copy)
        .put("as_configured", model.smallestUsefulCopy());
    ex.put("egress_rate_bytes_per_second", bps);
    days(
        ex.putObject("days_at_current_rate"),
        Exfiltration.daysAtRate(weights, bps),
        Exfiltration.daysAtRate(copy, bps));
    ArrayNode nodes = root.putArray("nodes");
    for (BudgetReport.NodeReport n : report.nodes()) {
      ObjectNode node = nodes.addObject().put("id", n.id());
      EdgeStats.Tenant edge = ctx.stats().edge().tenants().get(n.id());
      if (edge != null) {
        long raw = edge.raw.sum();
        long wire = edge.wire.sum();
        ObjectNode e = node.putObject("edge").put("raw", raw).put("compressed", wire);
        if (raw > 0) {
          e.put("ratio", (double) wire / raw); // for display and detectors, never for charging
        } else {
          e.putNull("ratio");
        }
      }
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
        days(
            limit.putObject("exfiltration_days_at_cap"),
            Exfiltration.daysAtCap(weights, l.window(), l.cap()),
            Exfiltration.daysAtCap(copy, l.window(), l.cap()));
      }
    }
    return root;
  }

  /** {@code {"weights": d, "smallest_useful_copy": d}}, null for never (+Inf). */
  private static void days(ObjectNode o, double weights, double copy) {
    put(o, "weights", weights);
    put(o, "smallest_useful_copy", copy);
  }

  private static void put(ObjectNode o, String field, double days) {
    if (Double.isFinite(days)) {
      o.put(field, days);
    } else {
      o.putNull(field);
    }
  }
}
