package dev.sluice.admin;

import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.budget.NodeKind;
import dev.sluice.store.BudgetStore;
import dev.sluice.store.LiveSent;
import dev.sluice.time.Clock;
import dev.sluice.time.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The egress rate of the site, each zone and each tenant over the last hour, for the dashboard's
 * chart: a ring of {@link #CAPACITY} points, one per call of {@link #sample()} (every {@link #STEP}
 * in production), kept in memory only, so a restart starts an empty chart.
 *
 * <p>A node's rate is what its {@code sent} grew by between two samples, divided by the time
 * between them on the clock's monotonic reading. {@code sent} is read as {@code /api/budgets} shows
 * it (the store's figure plus what this node charged from escrow it still holds), from the node's
 * limit whose window resets least often (lifetime, else month, week, day); with the etcd store it
 * is cluster-wide, so the chart shows the fleet's rate per zone and tenant. When that window resets
 * between two samples, the growth is the new window's {@code sent}; a small drop without a reset
 * (escrow settling while it is read) counts as 0. A node without limits has no {@code sent} and is
 * not charted.
 *
 * <p>Display only: no budget decision reads it, so rates may be rounded. Thread-safe.
 */
public final class RateHistory {

  /** Time between samples in production. */
  public static final Duration STEP = Duration.ofSeconds(10);

  /** Points kept: one hour at {@link #STEP}. */
  public static final int CAPACITY = 360;

  /** The points of one node, oldest first; {@code bytesPerSecond[i]} is at {@code times[i]}. */
  public record Series(String id, NodeKind kind, long[] bytesPerSecond) {}

  /** Every charted node's series and the wall-clock time (epoch ms) of each point. */
  public record Snapshot(long[] timesMillis, List<Series> series) {}

  private final Clock clock;
  private final BudgetStore store;
  private final LiveSent escrow;
  private final List<BudgetNode> nodes = new ArrayList<>();
  private final List<Window> windows = new ArrayList<>();

  // Guarded by this: the ring (slot of the next point, points held) and the previous reading.
  private final long[] times = new long[CAPACITY];
  private final long[][] rates;
  private int next;
  private int count;
  private long lastNanos;
  private final long[] lastSent;
  private final long[] lastPeriodEnd;
  private boolean primed;

  /**
   * @param escrow this node's escrow, for the part of {@code sent} the store does not know yet
   */
  public RateHistory(Clock clock, BudgetTree tree, BudgetStore store, LiveSent escrow) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.store = Objects.requireNonNull(store, "store");
    this.escrow = Objects.requireNonNull(escrow, "escrow");
    for (BudgetNode n : tree.nodes()) {
      boolean charted =
          n.kind() == NodeKind.SITE || n.kind() == NodeKind.ZONE || n.kind() == NodeKind.TENANT;
      if (charted && !n.limits().isEmpty()) {
        nodes.add(n);
        windows.add(longest(n.limits()));
      }
    }
    this.rates = new long[nodes.size()][CAPACITY];
    this.lastSent = new long[nodes.size()];
    this.lastPeriodEnd = new long[nodes.size()];
  }

  private static Window longest(List<Limit> limits) {
    Window w = limits.get(0).window();
    for (Limit l : limits) {
      if (l.window().compareTo(w) > 0) { // DAY < WEEK < MONTH < LIFETIME
        w = l.window();
      }
    }
    return w;
  }

  /**
   * Reads every charted node's {@code sent} now and, from the second call on, adds one point: the
   * rate since the previous call. A call at the same monotonic instant as the previous one is
   * ignored.
   */
  public synchronized void sample() {
    long nanos = clock.nanos();
    if (primed && nanos <= lastNanos) {
      return;
    }
    long elapsed = nanos - lastNanos;
    if (primed) {
      times[next] = clock.millis();
    }
    for (int i = 0; i < nodes.size(); i++) {
      BudgetNode n = nodes.get(i);
      BudgetStore.Usage u = store.usage(n, windows.get(i));
      long live = escrow.liveSent(n.index());
      long sent = u.sent() > Long.MAX_VALUE - live ? Long.MAX_VALUE : u.sent() + live;
      if (primed) {
        long grown = u.periodEnd() != lastPeriodEnd[i] ? sent : Math.max(0, sent - lastSent[i]);
        rates[i][next] = Math.round(grown * 1e9 / elapsed);
      }
      lastSent[i] = sent;
      lastPeriodEnd[i] = u.periodEnd();
    }
    if (primed) {
      next = (next + 1) % CAPACITY;
      count = Math.min(count + 1, CAPACITY);
    }
    lastNanos = nanos;
    primed = true;
  }

  /** The points held, oldest first (at most {@link #CAPACITY}). */
  public synchronized Snapshot snapshot() {
    int first = (next - count + CAPACITY) % CAPACITY;
    long[] t = new long[count];
    for (int k = 0; k < count; k++) {
      t[k] = times[(first + k) % CAPACITY];
    }
    List<Series> series = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      long[] r = new long[count];
      for (int k = 0; k < count; k++) {
        r[k] = rates[i][(first + k) % CAPACITY];
      }
      series.add(new Series(nodes.get(i).id(), nodes.get(i).kind(), r));
    }
    return new Snapshot(t, series);
  }
}
