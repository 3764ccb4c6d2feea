package dev.sluice.budget;

import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import java.time.Instant;
import java.util.Objects;

/**
 * Why bytes may not leave: the node and window whose cap is spent, the cap, when the window resets
 * ({@link WindowCalendar#NEVER} for lifetime), and when a retry may be paid for: the reset, or
 * earlier when escrow held elsewhere (granted, not yet sent) returns to the budget at its expiry
 * and would then pay. A value, so it can be logged, ledgered and shown to the client once.
 *
 * @param retryAtMillis epoch ms from which the same request may be granted, never after {@code
 *     resetsAtMillis} ({@link WindowCalendar#NEVER}: never)
 */
public record Denial(
    String nodeId,
    Window window,
    long cap,
    long resetsAtMillis,
    String reason,
    long retryAtMillis) {

  /** A denial whose only remedy is the window's reset. */
  public Denial(String nodeId, Window window, long cap, long resetsAtMillis, String reason) {
    this(nodeId, window, cap, resetsAtMillis, reason, resetsAtMillis);
  }

  /** The reason for a cap that is spent. */
  public static final String BUDGET_EXHAUSTED = "egress_budget_exhausted";

  public Denial {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(reason, "reason");
    retryAtMillis = Math.min(retryAtMillis, resetsAtMillis);
  }

  /**
   * This denial with a retry at {@code atMillis} (when escrow held elsewhere returns), unless the
   * window resets first.
   */
  public Denial retryAt(long atMillis) {
    return new Denial(nodeId, window, cap, resetsAtMillis, reason, atMillis);
  }

  /** When the window resets, or {@code null} for a lifetime limit. */
  public Instant resetsAt() {
    return resetsAtMillis == WindowCalendar.NEVER ? null : Instant.ofEpochMilli(resetsAtMillis);
  }

  /** Builds the denial for slot {@code slot} of {@code path}. */
  public static Denial forSlot(BudgetCounters counters, BudgetPath path, int slot, long now) {
    BudgetNode node = path.slotBudgetNode(slot);
    Window w = path.slotWindow(slot);
    long cap = path.slotCap(slot);
    String reason = cap == BudgetNode.NO_LIMIT ? "counter_overflow" : BUDGET_EXHAUSTED;
    return new Denial(node.id(), w, cap, counters.periodEnd(node.index(), w, now), reason);
  }
}
