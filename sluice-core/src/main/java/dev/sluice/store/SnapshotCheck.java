package dev.sluice.store;

import dev.sluice.budget.BudgetCounters;
import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.BudgetTrees;
import dev.sluice.ledger.CompactRange;
import dev.sluice.ledger.EntryCodec;
import dev.sluice.ledger.LedgerReader;
import dev.sluice.ledger.MerkleTree;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, offline, that the budget counters a local store saved in its snapshot equal the sum of
 * the ledger: it replays the ledger up to the snapshot's position with the same rules the store
 * uses ({@link BudgetState}) and compares every counter of every node, after checking that the
 * snapshot's position is really a prefix of this ledger (same Merkle root at that size).
 *
 * <p>Lifetime counters are pure sums over the ledger; day, week and month counters are compared for
 * the period the snapshot recorded.
 */
public final class SnapshotCheck {

  /** The outcome: {@code problems} is empty when everything matched. */
  public record Result(boolean snapshotPresent, long entriesChecked, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private SnapshotCheck() {}

  /** Checks the snapshot in {@code ledgerDir} (a ledger directory) against its entries. */
  public static Result check(Path ledgerDir) throws IOException {
    Path file = ledgerDir.resolve(LocalBudgetStore.SNAPSHOT_FILE);
    StoreSnapshot snap;
    try {
      snap = StoreSnapshot.read(file);
    } catch (SnapshotException e) {
      return new Result(true, 0, List.of(e.getMessage()));
    }
    if (snap == null) {
      return new Result(false, 0, List.of());
    }
    List<String> problems = new ArrayList<>();
    List<String> ids = snap.nodes().stream().map(StoreSnapshot.NodeCounters::nodeId).toList();
    BudgetTree tree = BudgetTrees.fromNodeIds(ids);
    WindowCalendar calendar = new WindowCalendar(ZoneId.of(snap.timeZone()));
    BudgetState state = new BudgetState(new BudgetCounters(tree, calendar, 0L));
    long size = snap.position().entryCount();
    CompactRange range = new CompactRange();
    long[] seen = {0};
    try (LedgerReader reader = LedgerReader.open(ledgerDir)) {
      reader.forEach(
          e -> {
            if (e.index() < size) {
              range.append(MerkleTree.leafHash(EntryCodec.encode(e.entry())));
              state.replay(e.entry(), 0L);
              seen[0]++;
            }
          });
    }
    if (seen[0] < size) {
      problems.add(
          file
              + ": snapshot is at entry "
              + size
              + " but the ledger has only "
              + seen[0]
              + " entries");
      return new Result(true, seen[0], problems);
    }
    if (!range.root().equals(snap.position().root())) {
      problems.add(
          file
              + ": snapshot position is not a prefix of this ledger (Merkle root at size "
              + size
              + " differs)");
      return new Result(true, size, problems);
    }
    compare(snap, state, problems, file);
    return new Result(true, size, problems);
  }

  private static void compare(
      StoreSnapshot snap, BudgetState state, List<String> problems, Path file) {
    BudgetCounters c = state.counters();
    long now = Math.max(state.latestTime(), 0L); // the store never ran before 1970
    for (StoreSnapshot.NodeCounters n : snap.nodes()) {
      BudgetNode node = c.tree().node(n.nodeId());
      for (Window w : Window.values()) {
        int i = w.ordinal();
        long start = c.periodStart(node.index(), w, now);
        long spent;
        long sent;
        if (n.periodStart()[i] == start) {
          spent = c.spent(node.index(), w, now);
          sent = c.sent(node.index(), w, now);
        } else if (n.periodStart()[i] > start) {
          spent = 0; // the snapshot's period began after the last budget entry
          sent = 0;
        } else {
          continue; // clock stepped back after the snapshot's period began; nothing to compare
        }
        if (spent != n.spent()[i] || sent != n.sent()[i]) {
          problems.add(
              String.format(
                  "%s: %s %s: snapshot says spent=%d sent=%d, the ledger sums to spent=%d sent=%d",
                  file, n.nodeId(), w.label(), n.spent()[i], n.sent()[i], spent, sent));
        }
      }
    }
  }
}
