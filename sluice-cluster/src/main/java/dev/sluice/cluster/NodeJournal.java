package dev.sluice.cluster;

import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerOutbox;
import dev.sluice.store.BudgetEntries;
import dev.sluice.store.StoreTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * This node's ledger, as the etcd store writes it. Owns the format of its entries: the budget
 * entries of {@link BudgetEntries} ({@code grant}, {@code settle}, {@code stranded}) with this
 * node's id in field {@code node}, and {@code late} = 1 on a {@code grant} written after a lost
 * answer turned out to have committed ({@code docs/formats/ledger-v1.md}). Entries are stamped with
 * the store's time.
 *
 * <p>An entry is written after its etcd transaction committed, never before: a crash in between
 * loses the entry, never the bytes (etcd holds the truth, the ledger this node's account of it).
 * The futures complete when the entry is fsynced, or exceptionally when the ledger refused it.
 *
 * <p>An entry the ledger refuses while not writable (a full disk) is not dropped: what it records
 * already happened in etcd, so a {@link LedgerOutbox} keeps it and appends it again, before the
 * next entry or on {@link #retryOwed()} (the store's background tick, every second), once the
 * ledger has repaired itself. Only entries still owed when the node stops are lost ({@link
 * #owedCount()}, logged at close); {@code sluice ledger reconcile} then names their sets.
 */
final class NodeJournal {

  private final Ledger ledger;
  private final String nodeId;
  private final StoreTime time;

  /** The ledger, keeping the entries it refuses while not writable; null without a ledger. */
  private final LedgerOutbox outbox;

  /**
   * @param ledger this node's ledger; {@code null} only in tests (entries are then dropped)
   */
  NodeJournal(Ledger ledger, String nodeId, StoreTime time) {
    this.ledger = ledger;
    this.outbox = ledger == null ? null : new LedgerOutbox(ledger, "etcd store " + nodeId);
    this.nodeId = nodeId;
    this.time = time;
  }

  /** Whether entries can be written (a failed ledger refuses them: grants fail closed). */
  boolean writable() {
    return ledger == null || ledger.healthy();
  }

  /** A grant committed in etcd; {@code late} if its answer had been lost. */
  CompletableFuture<Long> grant(
      long id, long setId, List<String> nodes, long amount, long expires, long sent, boolean late) {
    LedgerEntry.Builder b =
        BudgetEntries.grant(time.now(), id, setId, nodes, amount, expires, sent)
            .put("node", nodeId);
    if (late) {
      b.put("late", 1);
    }
    return append(b.build());
  }

  /** Set {@code setId} (record {@code r}) settled in etcd. */
  CompletableFuture<Long> settle(
      long setId, SetRecord r, long granted, long sent, long returned, String reason) {
    return append(
        BudgetEntries.settle(
                time.now(), setId, r.setTime(), r.nodes(), granted, sent, returned, reason)
            .put("node", nodeId)
            .build());
  }

  /** A set of an earlier run stranded in etcd: {@code lost} bytes stay spent. */
  CompletableFuture<Long> stranded(SetRecord r, long sent, long lost) {
    return append(
        BudgetEntries.stranded(
                time.now(), r.setId(), r.setTime(), r.nodes(), r.granted(), sent, lost)
            .put("node", nodeId)
            .build());
  }

  /** Entries refused by the ledger and not yet appended again. */
  int owedCount() {
    return outbox == null ? 0 : outbox.owed();
  }

  /** Appends the owed entries again if the ledger is writable (the store's background tick). */
  void retryOwed() {
    if (outbox != null) {
      outbox.retry();
    }
  }

  private CompletableFuture<Long> append(LedgerEntry e) {
    if (outbox == null) {
      return CompletableFuture.completedFuture(-1L);
    }
    return outbox.append(e);
  }
}
