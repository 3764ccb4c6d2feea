package dev.sluice.alert;

import dev.sluice.budget.Denial;
import dev.sluice.escrow.Escrow;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.store.BudgetReport;
import dev.sluice.time.Window;
import java.math.BigInteger;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Threshold conditions: for every limit of every budget node, each configured percentage its spent
 * bytes (committed against the cap: charged plus escrow held) have reached. The key carries the
 * limit's period ({@code periodEnd}), so a threshold fires once per period and the next period
 * starts afresh; the alert stays firing until that period ends ({@link
 * Condition#stickyUntilMillis}) and resolves when the window resets. A cap of 0 raises nothing
 * (nothing may leave: there is no budget to watch being spent). Exact integer comparison ({@code
 * spent × 100 ≥ cap × percent}).
 */
final class BudgetConditions {

  static final String NAME = "SluiceBudgetThreshold";

  private BudgetConditions() {}

  /**
   * @param refused limits that refused a grant in their current period, as {@link #refusedKey}
   */
  static void collect(
      BudgetReport report,
      List<Integer> thresholds,
      Set<String> refused,
      Map<String, String> base,
      List<Condition> out) {
    for (BudgetReport.NodeReport node : report.nodes()) {
      for (BudgetReport.LimitReport limit : node.limits()) {
        if (limit.cap() <= 0) {
          continue;
        }
        boolean spentOut =
            refused.contains(refusedKey(node.id(), limit.window(), limit.resetsAtMillis()));
        for (int pct : thresholds) {
          if (!reached(limit.spent(), limit.cap(), pct) && !(pct == 100 && spentOut)) {
            break;
          }
          out.add(condition(node.id(), limit, pct, base));
        }
      }
    }
  }

  /**
   * The limits of this node's escrow accounts whose last refill was refused by a cap, in that cap's
   * current period: a cap is rarely spent to the byte (a write that does not fit in what remains is
   * refused whole), so a refusal counts as reaching 100%.
   */
  static Set<String> refused(Escrow escrow) {
    Set<String> out = new HashSet<>();
    if (escrow == null) {
      return out;
    }
    for (EscrowAccount a : escrow.accounts()) {
      EscrowAccount.Outcome o = a.lastOutcome();
      if (o.kind() == EscrowAccount.Outcome.Kind.DENIED && o.denial() != null) {
        Denial d = o.denial();
        out.add(refusedKey(d.nodeId(), d.window(), d.resetsAtMillis()));
      }
    }
    return out;
  }

  static String refusedKey(String nodeId, Window window, long periodEnd) {
    return nodeId + "|" + window.label() + "|" + periodEnd;
  }

  /** {@code spent / cap ≥ pct / 100}, exactly. */
  static boolean reached(long spent, long cap, int pct) {
    return BigInteger.valueOf(spent)
            .multiply(BigInteger.valueOf(100))
            .compareTo(BigInteger.valueOf(cap).multiply(BigInteger.valueOf(pct)))
        >= 0;
  }

  private static Condition condition(
      String nodeId, BudgetReport.LimitReport limit, int pct, Map<String, String> base) {
    String window = limit.window().label();
    String period =
        limit.resets() ? Instant.ofEpochMilli(limit.resetsAtMillis()).toString() : "never";
    Map<String, String> labels = new LinkedHashMap<>(base);
    labels.put("alertname", NAME);
    labels.put("severity", pct >= 100 ? "critical" : "warning");
    labels.put("budget_node", nodeId);
    labels.put("window", window);
    labels.put("threshold", pct + "%");
    labels.put("period_end", period);
    String summary = nodeId + " has spent " + pct + "% of its " + window + " cap";
    String description =
        nodeId
            + ": "
            + limit.spent()
            + " of "
            + limit.cap()
            + " bytes of the "
            + window
            + " cap spent ("
            + limit.remaining()
            + " remaining"
            + (limit.resets() ? ", resets at " + period : ", never resets")
            + ")";
    return new Condition(
        "threshold|" + nodeId + "|" + window + "|" + period + "|" + pct,
        labels,
        summary,
        description,
        limit.resets() ? limit.resetsAtMillis() : Long.MAX_VALUE);
  }
}
