package dev.sluice.store;

import dev.sluice.budget.BudgetCounters;
import dev.sluice.budget.BudgetTree;
import dev.sluice.ledger.IndexedEntry;
import dev.sluice.time.WindowCalendar;
import java.util.function.Consumer;

/**
 * Rebuilds a {@link BudgetState} while the ledger replays. With a snapshot, the state starts from
 * it and only entries after its position are applied; if the ledger could not resume at that
 * position (it replays from the first entry instead), the snapshot is discarded and the state is
 * rebuilt from scratch, so no entry is ever counted twice or skipped.
 */
final class StoreRecovery implements Consumer<IndexedEntry> {

  private final BudgetTree tree;
  private final WindowCalendar calendar;
  private final StoreSnapshot snapshot;
  private final long clockNow;
  private BudgetState state;

  StoreRecovery(BudgetTree tree, WindowCalendar calendar, StoreSnapshot snapshot, long clockNow) {
    this.tree = tree;
    this.calendar = calendar;
    this.snapshot = snapshot;
    this.clockNow = clockNow;
  }

  @Override
  public void accept(IndexedEntry e) {
    if (state == null) {
      boolean afterSnapshot = snapshot != null && e.index() >= snapshot.position().entryCount();
      state = afterSnapshot ? fromSnapshot() : fresh();
    }
    state.replay(e.entry(), clockNow);
  }

  /** The rebuilt state; {@code resumed} tells whether the ledger accepted the snapshot position. */
  BudgetState finish(boolean resumed) {
    if (state == null) {
      state = resumed && snapshot != null ? fromSnapshot() : fresh();
    }
    return state;
  }

  /** Whether the snapshot was used. */
  boolean usedSnapshot() {
    return usedSnapshot;
  }

  private boolean usedSnapshot;

  private BudgetState fresh() {
    return new BudgetState(new BudgetCounters(tree, calendar, clockNow));
  }

  private BudgetState fromSnapshot() {
    usedSnapshot = true;
    long now = Math.max(clockNow, snapshot.latestTime());
    BudgetState s = new BudgetState(new BudgetCounters(tree, calendar, now));
    snapshot.restoreInto(s, now);
    return s;
  }
}
