package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints an {@code /api/budgets} answer for people: the site and mode, every halt, the store, the
 * admin API's bind and whether it speaks HTTPS, then one row per limit (node, window, cap, spent,
 * sent, held = spent - sent, remaining, reset, and the days the weights and their smallest useful
 * copy would take to leave at that cap), the time to exfiltrate both at the current egress rate,
 * sizes rounded with the exact byte count beside them. Report mode and halts are flagged on their
 * own lines, where nobody misses them. With a shared (etcd) store the figures are cluster-wide, and
 * a second table lists every gateway node's escrow: held, and expired (stranded by a dead or
 * partitioned node). A line under the first table says what spent, sent and held are (issue 18: a
 * new user read spent as sent).
 */
final class StatusReport {

  private static final String[] HEADER = {
    "NODE",
    "WINDOW",
    "CAP",
    "SPENT",
    "SENT",
    "HELD",
    "REMAINING",
    "RESETS AT",
    "AT CAP: WEIGHTS LEAVE IN",
    "COPY LEAVES IN"
  };

  /** Columns right-aligned (the sizes and times). */
  private static final boolean[] RIGHT = {
    false, false, true, true, true, true, true, false, true, true
  };

  /** Says what SPENT, SENT and HELD are, under the table: spent is more than what left. */
  static final String HELD_LEGEND =
      "SPENT = SENT + HELD. SENT: bytes that left. HELD: escrow a gateway node took from the budget"
          + " before sending (so no byte leaves unpaid); it counts as spent until the node returns"
          + " it on stop, or, if the node dies, until the grant expires (then it stays spent as"
          + " stranded).";

  private static final String[] GATEWAY_HEADER = {
    "GATEWAY NODE", "LIVE", "OPEN SETS", "ESCROW HELD", "EXPIRED SETS", "EXPIRED (STRANDED)"
  };

  private static final boolean[] GATEWAY_RIGHT = {false, false, true, true, true, true};

  private StatusReport() {}

  static void print(JsonNode budgets, PrintWriter out) {
    String mode = budgets.path("mode").asText();
    out.printf(Locale.ROOT, "site %s, mode %s%n", budgets.path("site").asText(), mode);
    if (mode.equals("report")) {
      out.println(
          "!! REPORT MODE: budgets are NOT enforced; over-budget bytes leave and are only"
              + " recorded as would_deny !!");
    }
    JsonNode admin = budgets.path("admin");
    if (admin.path("exposed").asBoolean(false)) {
      out.printf(
          Locale.ROOT,
          "!! ADMIN API EXPOSED: admin.bind %s is not loopback and speaks plain HTTP (no TLS);"
              + " the token and the halt switch cross the network in clear !!%n",
          admin.path("bind").asText());
    }
    JsonNode halts = budgets.path("halts");
    if (halts.isEmpty()) {
      out.println("not halted");
    }
    for (JsonNode h : halts) {
      out.printf(
          Locale.ROOT,
          "HALTED %s since %s: %s%n",
          h.path("scope").asText(),
          h.path("since").asText(),
          h.path("reason").asText());
    }
    JsonNode store = budgets.path("store");
    if (!store.isMissingNode()) {
      String node = store.path("node_id").asText("");
      out.printf(
          Locale.ROOT,
          "store %s%s%n",
          store.path("name").asText(),
          node.isEmpty() ? "" : ", this node " + node);
    }
    if (!admin.isMissingNode()) {
      out.printf(
          Locale.ROOT,
          "admin API on %s, %s%n",
          admin.path("bind").asText(),
          admin.path("tls").asBoolean(false) ? "HTTPS (admin.tls)" : "plain HTTP");
    }
    exfiltration(budgets.path("exfiltration"), out);
    out.println();
    TextTable.print(rows(budgets), RIGHT, out);
    out.println(HELD_LEGEND);
    JsonNode gateways = budgets.path("gateway_nodes");
    if (!gateways.isMissingNode()) {
      out.println();
      TextTable.print(gatewayRows(gateways), GATEWAY_RIGHT, out);
    }
  }

  /**
   * Time to exfiltrate at the current egress rate, for the weights and for their smallest useful
   * copy (a line each; nothing if the node does not report it).
   */
  private static void exfiltration(JsonNode ex, PrintWriter out) {
    if (ex.isMissingNode()) {
      return;
    }
    JsonNode copy = ex.path("smallest_useful_copy");
    JsonNode atRate = ex.path("days_at_current_rate");
    out.printf(
        Locale.ROOT,
        "egress %s/s; at this rate the weights (%s) leave in %s, their smallest useful copy (%s,"
            + " %s) in %s%n",
        HumanBytes.rounded((long) ex.path("egress_rate_bytes_per_second").asDouble()),
        HumanBytes.rounded(ex.path("weights_bytes").asLong()),
        days(atRate.path("weights")),
        HumanBytes.rounded(copy.path("bytes").asLong()),
        copy.path("as_configured").asText(),
        days(atRate.path("smallest_useful_copy")));
  }

  /** A figure of days from the JSON: {@code never} for null. */
  static String days(JsonNode d) {
    if (d.isMissingNode()) {
      return "-";
    }
    if (d.isNull()) {
      return "never";
    }
    if (d.asDouble() == 0) {
      return "no bound"; // a lifetime cap at or above the size: this limit does not slow it
    }
    return BudgetTreeReport.formatDays(java.math.BigDecimal.valueOf(d.asDouble()));
  }

  private static List<String[]> gatewayRows(JsonNode gateways) {
    List<String[]> rows = new ArrayList<>();
    rows.add(GATEWAY_HEADER);
    for (JsonNode g : gateways) {
      rows.add(
          new String[] {
            g.path("node_id").asText(),
            g.path("live").asBoolean() ? "yes" : "NO",
            Long.toString(g.path("open_sets").asLong()),
            HumanBytes.withExact(g.path("held").asLong()),
            Long.toString(g.path("expired_sets").asLong()),
            HumanBytes.withExact(g.path("expired").asLong())
          });
    }
    return rows;
  }

  /**
   * Spent less sent of a limit: the escrow held against it (by this node, or with a shared store by
   * every node, stranded escrow included); never below 0.
   */
  static long held(JsonNode limit) {
    long spent = limit.path("spent").asLong();
    long sent = limit.path("sent").asLong();
    return sent >= spent ? 0 : Math.subtractExact(spent, sent);
  }

  private static List<String[]> rows(JsonNode budgets) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (JsonNode node : budgets.path("nodes")) {
      String id = node.path("id").asText();
      if (node.path("limits").isEmpty()) {
        rows.add(new String[] {id, "-", "(no own limit)", "", "", "", "", "", "", ""});
      }
      for (JsonNode l : node.path("limits")) {
        JsonNode resets = l.path("resets_at");
        rows.add(
            new String[] {
              id,
              l.path("window").asText(),
              HumanBytes.withExact(l.path("cap").asLong()),
              HumanBytes.withExact(l.path("spent").asLong()),
              HumanBytes.withExact(l.path("sent").asLong()),
              HumanBytes.withExact(held(l)),
              HumanBytes.withExact(l.path("remaining").asLong()),
              resets.isNull() ? "never" : resets.asText(),
              days(l.path("exfiltration_days_at_cap").path("weights")),
              days(l.path("exfiltration_days_at_cap").path("smallest_useful_copy"))
            });
        id = "";
      }
    }
    return rows;
  }
}
