package dev.sluice.store;

import dev.sluice.budget.BudgetCounters;
import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Denial;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.ledger.LedgerOutbox;
import dev.sluice.ledger.LedgerPosition;
import dev.sluice.time.Clock;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded budget store of a single gateway node. Its counters live in memory ({@link
 * BudgetCounters}); its durability is the ledger: every grant is a {@code grant} entry, fsynced
 * before the grant completes, so the escrow a gateway spends is always on disk first.
 *
 * <p>Crash guarantees:
 *
 * <ul>
 *   <li>At start the counters are rebuilt from the snapshot plus the ledger entries after it; every
 *       durable grant is counted, so the rebuilt spent is never below what was charged.
 *   <li>Escrow sets without a {@code settle} entry were lost in a crash: each gets a {@code
 *       stranded} entry at start and stays counted as spent ({@link #stranded()}).
 *   <li>A settlement credits the returned bytes before its entry is durable; if the entry is lost,
 *       the set is found stranded at the next start and the returned bytes count as spent again
 *       (over-count, never under-count).
 *   <li>If the ledger fails, every later grant completes {@link GrantResult.Unavailable} (fail
 *       closed). An entry it refused (a full disk) stays in the counters and is owed: appended
 *       again, in order, before the next entry or within a second of the ledger being writable, and
 *       no snapshot is written while one is owed, so the counters, the snapshot and the ledger
 *       agree. A refused grant was answered {@code Unavailable}: its escrow is never spent and
 *       stays counted until its set is settled or found stranded (over-count). Entries still owed
 *       at close are lost with the counters' change: a refused grant was never used, a refused
 *       settlement's set is found stranded at the next start.
 * </ul>
 *
 * <p>Grants and settlements are serialised by the store's lock (they are per chunk, not per byte);
 * waiting for durability happens outside it. Thread-safe.
 */
public final class LocalBudgetStore implements BudgetStore {

  private static final Logger log = LoggerFactory.getLogger(LocalBudgetStore.class);

  private final WindowCalendar calendar;

  /** Replaced by {@link #retree}; guarded by this (read without it only by {@link #tree()}). */
  private volatile BudgetState state;

  private final Ledger ledger;
  private final ChunkPolicy policy;
  private final long grantTtlMillis;
  private final Path snapshotFile;
  private final String name;
  private final StrandedReport stranded;

  /** The ledger, keeping the entries it refuses while not writable (a full disk). */
  private final LedgerOutbox outbox;

  /** Expiry (epoch ms) of each open set's latest grant, by set id; guarded by this. */
  private final Map<Long, Long> expiries = new HashMap<>();

  private CompletableFuture<Long> lastWrite = CompletableFuture.completedFuture(-1L);
  private final StoreTime time;
  private final ScheduledExecutorService snapshots;
  private long lastSnapshotSize;
  private boolean closed;

  LocalBudgetStore(
      BudgetState state,
      Ledger ledger,
      ChunkPolicy policy,
      Duration grantTtl,
      Clock clock,
      Path snapshotFile,
      String name,
      StrandedReport stranded) {
    this.state = state;
    this.calendar = state.counters().calendar();
    this.ledger = ledger;
    this.outbox = new LedgerOutbox(ledger, name);
    this.policy = policy;
    this.grantTtlMillis = grantTtl.toMillis();
    this.snapshotFile = snapshotFile;
    this.name = name;
    this.stranded = stranded;
    this.time = new StoreTime(clock, state.latestTime());
    this.snapshots =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-budget-snapshot");
              t.setDaemon(true);
              return t;
            });
    long every = SNAPSHOT_INTERVAL.toSeconds();
    snapshots.scheduleWithFixedDelay(this::snapshotIfGrown, every, every, TimeUnit.SECONDS);
    snapshots.scheduleWithFixedDelay(this::appendOwed, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * How often a snapshot is written while the ledger grows, so that a start after a crash replays
   * at most this much history.
   */
  public static final Duration SNAPSHOT_INTERVAL = Duration.ofSeconds(60);

  /** The snapshot file inside the ledger directory. */
  public static final String SNAPSHOT_FILE = "budget.snapshot";

  /**
   * Opens the store: reads the snapshot (if any, and if it is for {@code zone}), opens the ledger
   * resuming after the snapshot and replaying what follows, and records every escrow set found
   * unsettled as stranded. Fails loudly (control plane) if the ledger cannot be opened or the
   * stranded entries cannot be made durable.
   */
  public static LocalBudgetStore open(
      BudgetTree tree,
      ZoneId zone,
      LedgerOptions ledgerOptions,
      ChunkPolicy policy,
      Duration grantTtl,
      Clock clock)
      throws IOException {
    Path snapshotFile = ledgerOptions.ledgerDir().resolve(SNAPSHOT_FILE);
    StoreSnapshot snapshot = readSnapshot(snapshotFile, zone);
    WindowCalendar calendar = new WindowCalendar(zone);
    StoreRecovery recovery = new StoreRecovery(tree, calendar, snapshot, clock.millis());
    Ledger ledger =
        Ledger.open(ledgerOptions, clock, snapshot == null ? null : snapshot.position(), recovery);
    try {
      BudgetState state = recovery.finish(ledger.recovery().resumed());
      String name = "local:" + ledgerOptions.dataDir();
      StrandedReport stranded = recordStranded(state, ledger, clock);
      log.info(
          "budget store {} opened: {} entries replayed{}, {} escrow sets stranded ({} bytes)",
          name,
          ledger.recovery().entriesReplayed(),
          recovery.usedSnapshot() ? " after the snapshot" : " (no usable snapshot)",
          stranded.sets(),
          stranded.bytes());
      return new LocalBudgetStore(
          state, ledger, policy, grantTtl, clock, snapshotFile, name, stranded);
    } catch (IOException | RuntimeException e) {
      ledger.close();
      throw e;
    }
  }

  private static StoreSnapshot readSnapshot(Path file, ZoneId zone) {
    try {
      StoreSnapshot s = StoreSnapshot.read(file);
      if (s != null && !s.timeZone().equals(zone.getId())) {
        log.info(
            "budget snapshot is for time zone {}, configuration says {}: replaying the ledger",
            s.timeZone(),
            zone.getId());
        return null;
      }
      return s;
    } catch (IOException e) {
      log.warn("budget snapshot unusable, replaying the whole ledger: {}", e.getMessage());
      return null;
    }
  }

  /** Ledgers every set left open by a crash as stranded; it stays counted as spent. */
  private static StrandedReport recordStranded(BudgetState state, Ledger ledger, Clock clock)
      throws IOException {
    int sets = 0;
    long bytes = 0;
    CompletableFuture<Long> last = CompletableFuture.completedFuture(-1L);
    long now = Math.max(clock.millis(), state.latestTime());
    if (!state.openSets().isEmpty()) {
      state.noteTime(now);
    }
    for (OpenSet s : state.openSets()) {
      long sent = StoreMath.sentOf(s.granted(), s.sent());
      long lost = StoreMath.unsentOf(s.granted(), s.sent());
      last =
          ledger.append(
              BudgetEntries.stranded(
                      now, s.setId(), s.setTime(), s.nodes(), s.granted(), sent, lost)
                  .build());
      state.counters().addSent(state.indexes(s.nodes()), sent, s.setTime(), now);
      state.close(s.setId());
      sets++;
      bytes = Math.addExact(bytes, lost);
    }
    try {
      last.join();
    } catch (RuntimeException e) {
      throw new IOException("could not record stranded escrow in the ledger", e);
    }
    return new StrandedReport(sets, bytes);
  }

  @Override
  public String name() {
    return name;
  }

  /** The ledger this store writes grants to; other components append their entries to it too. */
  public Ledger ledger() {
    return ledger;
  }

  public BudgetTree tree() {
    return state.counters().tree();
  }

  /**
   * See {@link BudgetStore#retree}: the counters are carried over by node id exactly as a snapshot
   * carries them across a restart ({@link StoreSnapshot#capture}, then restored into counters of
   * {@code next}); open sets, the grant ids and the store's time are kept.
   */
  @Override
  public synchronized void retree(BudgetTree next) {
    long now = now();
    StoreSnapshot carried = StoreSnapshot.capture(state, null, calendar.zone().getId(), now);
    BudgetState s = new BudgetState(new BudgetCounters(next, calendar, now));
    carried.restoreInto(s, now);
    state = s;
  }

  /** Escrow found unsettled at start: counted as spent, possibly never sent. */
  public StrandedReport stranded() {
    return stranded;
  }

  /**
   * The store's time ({@link StoreTime}), never earlier than the latest budget entry replayed at
   * start.
   */
  long now() {
    return time.now();
  }

  @Override
  public CompletableFuture<GrantResult> grant(GrantRequest r) {
    GrantResult.Granted granted;
    CompletableFuture<Long> durable;
    synchronized (this) {
      GrantResult refused = checkWritable();
      if (refused != null) {
        return CompletableFuture.completedFuture(refused);
      }
      long now = now();
      BudgetPath path = tree().resolve(r.path());
      if (path == null) {
        return unavailable("budget path " + r.path() + " was removed by a configuration reload");
      }
      OpenSet set = r.setId() == 0 ? null : state.openSet(r.setId());
      if (r.setId() != 0 && set == null) {
        return unavailable("escrow set " + r.setId() + " is not open");
      }
      long setTime = set == null ? now : set.setTime();
      long dayEnd = calendar.periodEnd(Window.DAY, setTime);
      if (now >= dayEnd) {
        return unavailable("escrow set " + r.setId() + " ended with its day; settle it first");
      }
      BudgetCounters counters = state.counters();
      long amount = policy.amount(r.need(), r.want(), counters.remaining(path, now));
      if (amount < 0 || (amount == 0 && set == null)) {
        int slot = counters.bindingSlot(path, now);
        return denied(denial(path, slot, r, now));
      }
      int slot = counters.tryCharge(path, amount, now);
      if (slot != BudgetCounters.CHARGED) {
        return denied(denial(path, slot, r, now));
      }
      long id = state.maxGrantId() + 1;
      long setId = set == null ? id : set.setId();
      long expires = StoreMath.expiresAt(now, grantTtlMillis, dayEnd);
      state.recordGrant(id, setId, now, path.nodeIds(), amount, r.sent());
      expiries.put(setId, expires);
      durable =
          append(
              BudgetEntries.grant(now, id, setId, path.nodeIds(), amount, expires, r.sent())
                  .build());
      granted = new GrantResult.Granted(id, setId, amount, setTime, expires);
    }
    return durable.handle(
        (index, error) ->
            error == null
                ? granted
                : new GrantResult.Unavailable(name, "grant not durable: " + rootMessage(error)));
  }

  @Override
  public CompletableFuture<Void> settle(Settlement s) {
    CompletableFuture<Long> durable;
    synchronized (this) {
      if (closed || !ledger.healthy()) {
        return CompletableFuture.failedFuture(
            new IllegalStateException(name + " cannot record settlements; escrow stays spent"));
      }
      OpenSet set = state.close(s.setId());
      expiries.remove(s.setId());
      if (set == null) {
        return CompletableFuture.completedFuture(null);
      }
      long now = now();
      state.noteTime(now);
      int[] nodes = state.indexes(set.nodes());
      state.counters().credit(nodes, s.returned(), set.setTime(), now);
      state.counters().addSent(nodes, s.sent(), set.setTime(), now);
      durable =
          append(
              BudgetEntries.settle(
                      now,
                      s.setId(),
                      set.setTime(),
                      set.nodes(),
                      s.granted(),
                      s.sent(),
                      s.returned(),
                      s.reason())
                  .build());
    }
    return durable.thenApply(i -> null);
  }

  /**
   * The denial of request {@code r} on {@code path} by {@code slot} at {@code now}, with the time a
   * retry may be paid for: the window's reset, or the expiry of escrow held by other holders when
   * its return (at most its unsent bytes, as last reported) would leave enough on every limited
   * slot of the path for {@code r.need()}. Called under the lock.
   */
  private Denial denial(BudgetPath path, int slot, GrantRequest r, long now) {
    BudgetCounters counters = state.counters();
    Denial d = Denial.forSlot(counters, path, slot, now);
    long retryAt = RetryTime.whenPayable(path, counters, state.openSets(), expiries, r, now);
    return retryAt == WindowCalendar.NEVER ? d : d.retryAt(retryAt);
  }

  /**
   * Appends {@code e} after any entries owed (in the order of the counters' changes: under the
   * lock).
   */
  private CompletableFuture<Long> append(LedgerEntry e) {
    CompletableFuture<Long> f = outbox.append(e);
    lastWrite = f;
    return f;
  }

  /** Appends the owed entries again if the ledger is writable. Under the lock. */
  private void retryOwedLocked() {
    CompletableFuture<Long> f = outbox.retry();
    if (f != null) {
      lastWrite = f;
    }
  }

  /** Entries the counters hold that the ledger refused and that are not appended again yet. */
  public int owedEntries() {
    return outbox.owed();
  }

  private GrantResult checkWritable() {
    if (closed) {
      return new GrantResult.Unavailable(name, "store is closed");
    }
    if (!ledger.healthy()) {
      return new GrantResult.Unavailable(name, "ledger is not writable");
    }
    return null;
  }

  private CompletableFuture<GrantResult> unavailable(String reason) {
    return CompletableFuture.completedFuture(new GrantResult.Unavailable(name, reason));
  }

  private static CompletableFuture<GrantResult> denied(Denial d) {
    return CompletableFuture.completedFuture(new GrantResult.Denied(d));
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.toString();
  }

  /**
   * Writes a snapshot of the counters at the current ledger position, so the next start replays
   * only what follows. Waits for the store's entries to be durable first.
   */
  public synchronized void snapshot() throws IOException {
    if (closed || !ledger.healthy()) {
      return;
    }
    retryOwedLocked();
    if (owedEntries() > 0) {
      return;
    }
    writeSnapshotLocked();
  }

  /** Appends owed entries once the ledger is writable again; runs on the snapshot thread. */
  private void appendOwed() {
    if (owedEntries() > 0) {
      synchronized (this) {
        if (!closed) {
          retryOwedLocked();
        }
      }
    }
  }

  /** Writes a snapshot if the ledger grew since the last one; runs on the snapshot thread. */
  private void snapshotIfGrown() {
    try {
      synchronized (this) {
        if (!closed && ledger.healthy()) {
          retryOwedLocked();
        }
        if (!closed && ledger.healthy() && owedEntries() == 0 && ledger.size() > lastSnapshotSize) {
          writeSnapshotLocked();
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("periodic budget snapshot failed (the ledger is still the truth): {}", e.toString());
    }
  }

  private void writeSnapshotLocked() throws IOException {
    lastWrite.join();
    LedgerPosition position = ledger.position();
    StoreSnapshot.capture(state, position, calendar.zone().getId(), now()).write(snapshotFile);
    lastSnapshotSize = position.entryCount();
  }

  /** Snapshot, then close the ledger. Escrow must be settled before (see {@code Escrow}). */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      snapshots.shutdownNow();
      try {
        if (ledger.healthy()) {
          retryOwedLocked();
        }
        if (ledger.healthy() && owedEntries() == 0) {
          writeSnapshotLocked();
        }
      } catch (IOException | RuntimeException e) {
        log.warn(
            "could not write the budget snapshot; the next start replays the ledger: {}",
            e.toString());
      }
      closed = true;
    }
    ledger.close();
  }

  @Override
  public Usage usage(BudgetNode node, Window window) {
    long now = now();
    BudgetCounters c = state.counters();
    int i = node.index();
    return new Usage(
        c.spent(i, window, now),
        c.sent(i, window, now),
        c.periodStart(i, window, now),
        c.periodEnd(i, window, now));
  }

  /** Open sets at this moment (for reports and tests). */
  public synchronized List<OpenSet> openSets() {
    return List.copyOf(state.openSets());
  }
}
