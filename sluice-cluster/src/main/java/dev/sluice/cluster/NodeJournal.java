package dev.sluice.cluster;

import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerUnavailableException;
import dev.sluice.store.BudgetEntries;
import dev.sluice.store.StoreTime;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>A refused entry is not dropped: what it records already happened in etcd, so it is kept, in
 * order, and appended again by {@link #retryOwed()} (the store's background tick, every second)
 * once the ledger is writable again (a full disk freed: the ledger repairs itself). Entries
 * appended meanwhile wait behind it, so this node's account stays in etcd's order. Only entries
 * still owed when the node stops are lost ({@link #owedCount()}, logged at close); {@code sluice
 * ledger reconcile} then names the sets whose entry is missing.
 */
final class NodeJournal {

  private static final Logger log = LoggerFactory.getLogger(EtcdBudgetStore.class);

  private final Ledger ledger;
  private final String nodeId;
  private final StoreTime time;

  /** Entries the ledger refused, oldest first, each appended again once it is writable. */
  private final ArrayDeque<LedgerEntry> owed = new ArrayDeque<>();

  /**
   * @param ledger this node's ledger; {@code null} only in tests (entries are then dropped)
   */
  NodeJournal(Ledger ledger, String nodeId, StoreTime time) {
    this.ledger = ledger;
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
  synchronized int owedCount() {
    return owed.size();
  }

  /**
   * Appends the owed entries again, oldest first, if the ledger is writable; an entry it refuses
   * again stays owed with those after it. Called by the store's background tick.
   */
  void retryOwed() {
    List<LedgerEntry> batch;
    synchronized (this) {
      if (owed.isEmpty() || !writable()) {
        return;
      }
      batch = List.copyOf(owed);
      owed.clear();
    }
    log.info("{}: appending {} budget entries the ledger refused earlier", nodeId, batch.size());
    for (LedgerEntry e : batch) {
      append(e);
    }
  }

  /**
   * Appends {@code e}, or keeps it owed: behind earlier owed entries, or when the ledger refuses
   * it. The future is the first try's outcome.
   */
  private CompletableFuture<Long> append(LedgerEntry e) {
    if (ledger == null) {
      return CompletableFuture.completedFuture(-1L);
    }
    synchronized (this) {
      if (!owed.isEmpty()) {
        owed.add(e);
        return CompletableFuture.failedFuture(
            new LedgerUnavailableException(
                "the ledger owes " + owed.size() + " earlier entries; this one waits behind them",
                null));
      }
    }
    CompletableFuture<Long> f;
    try {
      f = ledger.append(e);
    } catch (RuntimeException ex) {
      f = CompletableFuture.failedFuture(ex);
    }
    return f.whenComplete(
        (i, ex) -> {
          if (ex != null) {
            owe(e, ex);
          }
        });
  }

  private synchronized void owe(LedgerEntry e, Throwable why) {
    owed.add(e);
    if (owed.size() == 1) {
      log.warn(
          "{}: the ledger refused a {} entry ({}); kept, and appended again once the ledger is"
              + " writable",
          nodeId,
          e.type().label(),
          EtcdIo.rootMessage(why));
    }
  }
}
