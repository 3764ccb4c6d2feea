package dev.sluice.store;

import dev.sluice.budget.BudgetCounters;
import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetPath;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * When a refused grant could be paid for, short of the window's reset: escrow granted to other
 * holders and not yet sent returns to the budget when its set is settled, at the latest soon after
 * its expiry. The earliest expiry after which the returned bytes (at most each set's unsent bytes,
 * as last reported) would leave enough on every limited slot of the path is when to retry. An
 * estimate that errs early, never late: a holder may still spend some of its escrow, and then the
 * retry is refused with a new time.
 */
final class RetryTime {

  private RetryTime() {}

  /**
   * The epoch ms from which {@code r} on {@code path} could be granted once escrow held by others
   * returns, or {@link WindowCalendar#NEVER} if no return would be enough (then only the window's
   * reset helps).
   *
   * @param open the open escrow sets
   * @param expiries the expiry of each open set's latest grant, by set id
   */
  static long whenPayable(
      BudgetPath path,
      BudgetCounters counters,
      List<OpenSet> open,
      Map<Long, Long> expiries,
      GrantRequest r,
      long now) {
    long need = Math.max(1, r.need());
    int slots = path.slotCount();
    long[] left = new long[slots];
    boolean limited = false;
    for (int s = 0; s < slots; s++) {
      long cap = path.slotCap(s);
      if (cap == BudgetNode.NO_LIMIT) {
        left[s] = Long.MAX_VALUE;
        continue;
      }
      limited = true;
      left[s] = Math.max(0, cap - counters.spent(path.slotNode(s), path.slotWindow(s), now));
    }
    if (!limited) {
      return WindowCalendar.NEVER;
    }
    // Only sets of the current day credit the current periods of every window when settled.
    long dayEnd = counters.calendar().periodEnd(Window.DAY, now);
    List<OpenSet> returning = new ArrayList<>();
    for (OpenSet o : open) {
      Long expires = expiries.get(o.setId());
      if (o.setId() != r.setId()
          && expires != null
          && counters.calendar().periodEnd(Window.DAY, o.setTime()) == dayEnd
          && StoreMath.unsentOf(o.granted(), o.sent()) > 0) {
        returning.add(o);
      }
    }
    returning.sort(Comparator.comparingLong(o -> expiries.get(o.setId())));
    for (OpenSet o : returning) {
      long unsent = StoreMath.unsentOf(o.granted(), o.sent());
      boolean enough = true;
      for (int s = 0; s < slots; s++) {
        if (o.nodes().contains(path.slotBudgetNode(s).id())) {
          left[s] = StoreMath.saturatedAdd(left[s], unsent);
        }
        enough &= left[s] >= need;
      }
      if (enough) {
        return Math.max(now, expiries.get(o.setId()));
      }
    }
    return WindowCalendar.NEVER;
  }
}
