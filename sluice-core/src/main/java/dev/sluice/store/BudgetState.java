package dev.sluice.store;

import dev.sluice.budget.BudgetCounters;
import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetTree;
import dev.sluice.ledger.LedgerEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a local budget store knows: the counters of the current periods, the escrow sets not yet
 * settled, and the highest grant id. Rebuilt at start from a snapshot plus the ledger entries after
 * it, then kept current by the store as it grants and settles.
 *
 * <p>Ledger entries it understands (field names are those of {@code docs/formats/ledger-v1.md}):
 *
 * <ul>
 *   <li>{@code grant}: adds {@code amount} to every window of every node in {@code nodes} whose
 *       current period contains the entry's time; opens or extends set {@code set};
 *   <li>{@code settle}: credits {@code returned} and adds {@code sent} in the periods of {@code
 *       set_time}; closes the set;
 *   <li>{@code stranded}: adds {@code sent} (the rest stays spent); closes the set.
 * </ul>
 *
 * Node ids no longer in the tree (a configuration change removed them) are skipped. Not
 * thread-safe: the store calls it under its lock.
 */
final class BudgetState {

  private final BudgetTree tree;
  private final BudgetCounters counters;
  private final Map<Long, OpenSet> open = new LinkedHashMap<>();
  private long maxGrantId;
  private long latestTime = Long.MIN_VALUE;

  BudgetState(BudgetCounters counters) {
    this.tree = counters.tree();
    this.counters = counters;
  }

  BudgetCounters counters() {
    return counters;
  }

  long maxGrantId() {
    return maxGrantId;
  }

  /** The latest entry time seen; the store's clock never runs behind it. */
  long latestTime() {
    return latestTime;
  }

  List<OpenSet> openSets() {
    return List.copyOf(open.values());
  }

  OpenSet openSet(long setId) {
    return open.get(setId);
  }

  /**
   * Applies one ledger entry, read back at start. The current periods are those of the later of
   * {@code clockNow} and the latest entry time, so an entry stamped after a clock that has since
   * stepped back is still counted.
   */
  void replay(LedgerEntry e, long clockNow) {
    if (!isBudgetEntry(e)) {
      return; // other writers' clocks must not move the budget's periods
    }
    latestTime = Math.max(latestTime, e.timeMillis());
    long now = Math.max(clockNow, latestTime);
    switch (e.type()) {
      case GRANT -> {
        long amount = e.getLong("amount");
        counters.addSpent(indexes(e.getStrings("nodes")), amount, e.timeMillis(), now);
        recordGrant(
            e.getLong("id"),
            e.getLong("set"),
            e.timeMillis(),
            e.getStrings("nodes"),
            amount,
            e.getLong("sent"));
      }
      case SETTLE -> {
        int[] nodes = indexes(e.getStrings("nodes"));
        long setTime = e.getLong("set_time");
        counters.credit(nodes, e.getLong("returned"), setTime, now);
        counters.addSent(nodes, e.getLong("sent"), setTime, now);
        open.remove(e.getLong("set"));
      }
      case STRANDED -> {
        counters.addSent(
            indexes(e.getStrings("nodes")), e.getLong("sent"), e.getLong("set_time"), now);
        open.remove(e.getLong("set"));
      }
      default -> {}
    }
  }

  private static boolean isBudgetEntry(LedgerEntry e) {
    return switch (e.type()) {
      case GRANT, SETTLE, STRANDED -> true;
      default -> false;
    };
  }

  /** Notes the time of a live budget entry. */
  void noteTime(long time) {
    latestTime = Math.max(latestTime, time);
  }

  /** Notes a grant (live or replayed) in the open-set table. */
  void recordGrant(long id, long setId, long time, List<String> nodes, long amount, long sent) {
    maxGrantId = Math.max(maxGrantId, id);
    latestTime = Math.max(latestTime, time);
    OpenSet s = open.get(setId);
    open.put(
        setId, s == null ? new OpenSet(setId, time, nodes, amount, sent) : s.plus(amount, sent));
  }

  /** Removes a set on settlement; returns it, or null if it was not open. */
  OpenSet close(long setId) {
    return open.remove(setId);
  }

  /** Restores snapshot contents. */
  void restore(long maxGrantId, long latestTime, Collection<OpenSet> sets) {
    this.maxGrantId = maxGrantId;
    this.latestTime = latestTime;
    open.clear();
    for (OpenSet s : sets) {
      open.put(s.setId(), s);
    }
  }

  /** Tree indexes of the ids that still exist in the tree. */
  int[] indexes(List<String> nodeIds) {
    List<Integer> out = new ArrayList<>(nodeIds.size());
    for (String id : nodeIds) {
      BudgetNode n = tree.node(id);
      if (n != null) {
        out.add(n.index());
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
