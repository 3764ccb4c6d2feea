package dev.sluice.budget;

import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import java.util.Objects;

/**
 * Spent and sent bytes of every window of every node in the current period: the authoritative
 * counters of a budget store.
 *
 * <p>{@link #tryCharge} pays {@code n} bytes in every window of every node on a path, or pays
 * nothing: each slot is raised with a compare-and-set that refuses to pass its cap, and if a later
 * slot refuses, the earlier ones are lowered again. While a charge is being undone, a concurrent
 * charge may see the transient amount and be refused although it would have fit; that errs on the
 * side of refusing (fail closed) and never lets a cap be passed. The sum of all successful charges
 * in a period never exceeds any cap, under any concurrency.
 *
 * <p>Lock-free; no allocation per charge (a period rollover allocates its new counter once).
 * Arithmetic never overflows: a charge that would take a counter past {@link Long#MAX_VALUE} is
 * refused like one that passes a cap.
 */
public final class BudgetCounters {

  /** Returned by {@link #tryCharge} when every slot paid. */
  public static final int CHARGED = -1;

  private static final Window[] WINDOWS = Window.values();
  private static final int MAX_SLOTS = 64;

  private final BudgetTree tree;
  private final WindowCalendar calendar;
  private final WindowCounter[][] counters;
  private final ThreadLocal<PeriodCounter[]> scratch =
      ThreadLocal.withInitial(() -> new PeriodCounter[MAX_SLOTS]);

  public BudgetCounters(BudgetTree tree, WindowCalendar calendar, long now) {
    this.tree = Objects.requireNonNull(tree, "tree");
    this.calendar = Objects.requireNonNull(calendar, "calendar");
    this.counters = new WindowCounter[tree.nodes().size()][WINDOWS.length];
    for (int n = 0; n < counters.length; n++) {
      for (Window w : WINDOWS) {
        counters[n][w.ordinal()] = new WindowCounter(w, calendar, now);
      }
    }
  }

  public BudgetTree tree() {
    return tree;
  }

  public WindowCalendar calendar() {
    return calendar;
  }

  /**
   * Pays {@code n} bytes on every slot of {@code path} in the periods containing {@code now}.
   *
   * @return {@link #CHARGED}, or the index of the slot that refused (see {@link
   *     BudgetPath#slotBudgetNode}, {@link BudgetPath#slotWindow}); nothing is paid then
   */
  public int tryCharge(BudgetPath path, long n, long now) {
    if (n < 0) {
      throw new IllegalArgumentException("charge must be >= 0 bytes, got " + n);
    }
    if (n == 0) {
      return CHARGED;
    }
    int slots = path.slotCount();
    if (slots > MAX_SLOTS) {
      throw new IllegalArgumentException("path " + path + " has more than " + MAX_SLOTS + " slots");
    }
    PeriodCounter[] paid = scratch.get();
    for (int s = 0; s < slots; s++) {
      PeriodCounter p = counter(path.slotNode(s), path.slotWindow(s)).at(now);
      if (!p.tryAdd(n, path.slotCap(s))) {
        for (int u = 0; u < s; u++) {
          paid[u].subtractSpent(n);
          paid[u] = null;
        }
        return s;
      }
      paid[s] = p;
    }
    for (int s = 0; s < slots; s++) {
      paid[s] = null;
    }
    return CHARGED;
  }

  /**
   * Bytes that can still be charged on {@code path} now: the smallest {@code cap - spent} over its
   * limited slots, never negative; {@link Long#MAX_VALUE} when no slot has a limit.
   */
  public long remaining(BudgetPath path, long now) {
    int slot = bindingSlot(path, now);
    return slot < 0 ? Long.MAX_VALUE : remaining(path, slot, now);
  }

  /** The limited slot with the least remaining (first one on ties), or -1 if none is limited. */
  public int bindingSlot(BudgetPath path, long now) {
    int best = -1;
    long bestLeft = Long.MAX_VALUE;
    for (int s = 0; s < path.slotCount(); s++) {
      if (path.slotCap(s) == BudgetNode.NO_LIMIT) {
        continue;
      }
      long left = remaining(path, s, now);
      if (best < 0 || left < bestLeft) {
        best = s;
        bestLeft = left;
      }
    }
    return best;
  }

  private long remaining(BudgetPath path, int slot, long now) {
    long spent = counter(path.slotNode(slot), path.slotWindow(slot)).at(now).spent.get();
    return Math.max(0, path.slotCap(slot) - spent);
  }

  /**
   * Adds {@code amount} spent bytes, recorded at {@code time}, to every window of the nodes {@code
   * nodeIndexes} whose current period contains {@code time}; no cap check (used to rebuild state
   * from grants that already happened).
   */
  public void addSpent(int[] nodeIndexes, long amount, long time, long now) {
    for (int node : nodeIndexes) {
      for (Window w : WINDOWS) {
        PeriodCounter p = counter(node, w).at(now);
        if (p.contains(time)) {
          p.spent.getAndUpdate(s -> s > Long.MAX_VALUE - amount ? Long.MAX_VALUE : s + amount);
        }
      }
    }
  }

  /** Returns {@code amount} unspent bytes of escrow granted at {@code grantTime}. */
  public void credit(int[] nodeIndexes, long amount, long grantTime, long now) {
    for (int node : nodeIndexes) {
      for (Window w : WINDOWS) {
        PeriodCounter p = counter(node, w).at(now);
        if (p.contains(grantTime)) {
          p.subtractSpent(amount);
        }
      }
    }
  }

  /** Records {@code amount} bytes actually sent from escrow granted at {@code grantTime}. */
  public void addSent(int[] nodeIndexes, long amount, long grantTime, long now) {
    for (int node : nodeIndexes) {
      for (Window w : WINDOWS) {
        PeriodCounter p = counter(node, w).at(now);
        if (p.contains(grantTime)) {
          p.addSent(amount);
        }
      }
    }
  }

  /** Spent bytes of {@code window} of node {@code nodeIndex} in the period containing now. */
  public long spent(int nodeIndex, Window window, long now) {
    return counter(nodeIndex, window).at(now).spent.get();
  }

  /** Sent (settled) bytes of {@code window} of node {@code nodeIndex} in the current period. */
  public long sent(int nodeIndex, Window window, long now) {
    return counter(nodeIndex, window).at(now).sent.get();
  }

  /** Start (epoch ms) of the current period of {@code window} of the node. */
  public long periodStart(int nodeIndex, Window window, long now) {
    return counter(nodeIndex, window).at(now).start;
  }

  /** End (epoch ms) of the current period; {@link WindowCalendar#NEVER} for lifetime. */
  public long periodEnd(int nodeIndex, Window window, long now) {
    return counter(nodeIndex, window).at(now).end;
  }

  /**
   * Sets the counters of one window of one node, if {@code periodStart} is the start of the period
   * containing {@code now} (state of an older period is dropped: it no longer limits anything).
   */
  public void restore(
      int nodeIndex, Window window, long periodStart, long spent, long sent, long now) {
    if (calendar.periodStart(window, now) == periodStart) {
      counter(nodeIndex, window).restore(now, spent, sent);
    }
  }

  private WindowCounter counter(int node, Window w) {
    return counters[node][w.ordinal()];
  }
}
