package dev.sluice.ledger;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends the entries of something that already happened (a budget store's grants and settlements)
 * to a {@link Ledger}, and keeps those the ledger refuses because it is not writable (a full disk:
 * {@link LedgerUnavailableException}) instead of dropping them: they are owed, and appended again,
 * oldest first, before the next entry or on {@link #retry()}, once the ledger is writable again (it
 * repairs itself without a restart). So what the owner's counters hold and what the ledger says
 * agree again after an outage, instead of differing until someone notices.
 *
 * <p>Order: owed entries go before the entry whose append finds the ledger writable again, and an
 * entry appended while entries are owed and the ledger is still not writable waits behind them.
 * Appends from different threads are not ordered against each other: an owner that needs its
 * entries in the order of its changes appends under its own lock.
 *
 * <p>Crash guarantee: owed entries live in memory only; those still owed when the process stops are
 * lost (the owner says so at close, and its recovery must tolerate it). An entry refused for
 * another reason (too large, a closed ledger) is not kept. Thread-safe; no lock is held while
 * appending, so the ledger's writer thread can always report a refusal.
 */
public final class LedgerOutbox {

  private static final Logger log = LoggerFactory.getLogger(LedgerOutbox.class);

  private final Ledger ledger;
  private final String owner;

  /** Refused entries, oldest first; guarded by itself. */
  private final ArrayDeque<LedgerEntry> owed = new ArrayDeque<>();

  /**
   * @param owner who appends, for log lines (e.g. the store's name)
   */
  public LedgerOutbox(Ledger ledger, String owner) {
    this.ledger = ledger;
    this.owner = owner;
  }

  /**
   * Appends the owed entries (if the ledger is writable) and then {@code e}. The future is the
   * first try's outcome: it fails when the ledger refused {@code e}, which is then owed.
   */
  public CompletableFuture<Long> append(LedgerEntry e) {
    List<LedgerEntry> before;
    synchronized (owed) {
      if (!owed.isEmpty() && !ledger.healthy()) {
        owed.add(e);
        return CompletableFuture.failedFuture(
            new LedgerUnavailableException(
                "the ledger is not writable; " + owed.size() + " entries wait for it", null));
      }
      before = drainLocked();
    }
    send(before);
    return send(e);
  }

  /**
   * Appends the owed entries again if the ledger is writable; call it now and then.
   *
   * @return the last one's first try, or null when nothing was appended
   */
  public CompletableFuture<Long> retry() {
    List<LedgerEntry> again;
    synchronized (owed) {
      if (owed.isEmpty() || !ledger.healthy()) {
        return null;
      }
      again = drainLocked();
    }
    return send(again);
  }

  /** Entries refused and not appended again yet. */
  public int owed() {
    synchronized (owed) {
      return owed.size();
    }
  }

  private List<LedgerEntry> drainLocked() {
    if (owed.isEmpty()) {
      return List.of();
    }
    List<LedgerEntry> all = List.copyOf(owed);
    owed.clear();
    return all;
  }

  private CompletableFuture<Long> send(List<LedgerEntry> again) {
    if (again.isEmpty()) {
      return null;
    }
    log.info("{}: appending {} entries the ledger refused while not writable", owner, again.size());
    CompletableFuture<Long> last = null;
    for (LedgerEntry o : again) {
      last = send(o);
    }
    return last;
  }

  private CompletableFuture<Long> send(LedgerEntry e) {
    CompletableFuture<Long> f;
    try {
      f = ledger.append(e);
    } catch (RuntimeException ex) {
      f = CompletableFuture.failedFuture(ex);
    }
    // The caller's future completes after the refusal is recorded: owed() counts it by then.
    return f.whenComplete(
        (i, ex) -> {
          if (ex != null && notWritable(ex)) {
            owe(e, ex);
          } else if (ex != null) {
            log.error(
                "{}: the ledger refused a {} entry: {}", owner, e.type().label(), ex.toString());
          }
        });
  }

  private static boolean notWritable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof LedgerUnavailableException) {
        return true;
      }
    }
    return false;
  }

  private void owe(LedgerEntry e, Throwable why) {
    synchronized (owed) {
      owed.add(e);
      if (owed.size() == 1) {
        log.warn(
            "{}: the ledger refused a {} entry ({}); kept, and appended once it is writable again",
            owner,
            e.type().label(),
            why.getMessage());
      }
    }
  }
}
