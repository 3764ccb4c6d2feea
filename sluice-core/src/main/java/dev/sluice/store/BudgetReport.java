package dev.sluice.store;

import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import java.util.ArrayList;
import java.util.List;

/**
 * Where every limit of every node stands: {@code spent} (committed against the cap: charged plus
 * escrow granted and not returned), {@code sent} (actually charged by writes: settled escrow plus
 * what this node charged from escrow it still holds), {@code remaining} and when the window resets.
 * The shape of {@code /api/budgets}.
 */
public record BudgetReport(List<NodeReport> nodes) {

  /** One node and its limits. */
  public record NodeReport(String id, List<LimitReport> limits) {}

  /**
   * One limit. {@code resetsAtMillis} is {@code WindowCalendar.NEVER} for lifetime limits (shown as
   * {@code null}).
   */
  public record LimitReport(
      Window window, long cap, long spent, long sent, long remaining, long resetsAtMillis) {
    public boolean resets() {
      return resetsAtMillis != WindowCalendar.NEVER;
    }
  }

  public BudgetReport {
    nodes = List.copyOf(nodes);
  }

  /**
   * The report of every node of {@code tree}; {@code escrow} (the node's escrow, {@code
   * dev.sluice.escrow.Escrow}) may be null (no live escrow).
   */
  public static BudgetReport of(BudgetTree tree, BudgetStore store, LiveSent escrow) {
    List<NodeReport> nodes = new ArrayList<>();
    for (BudgetNode node : tree.nodes()) {
      long live = escrow == null ? 0 : escrow.liveSent(node.index());
      List<LimitReport> limits = new ArrayList<>();
      for (Limit l : node.limits()) {
        BudgetStore.Usage u = store.usage(node, l.window());
        long sent = u.sent() > Long.MAX_VALUE - live ? Long.MAX_VALUE : u.sent() + live;
        limits.add(
            new LimitReport(
                l.window(),
                l.cap(),
                u.spent(),
                sent,
                Math.max(0, l.cap() - u.spent()),
                u.periodEnd()));
      }
      nodes.add(new NodeReport(node.id(), limits));
    }
    return new BudgetReport(nodes);
  }

  /** The report of the node with {@code id}, or null. */
  public NodeReport node(String id) {
    for (NodeReport n : nodes) {
      if (n.id().equals(id)) {
        return n;
      }
    }
    return null;
  }
}
