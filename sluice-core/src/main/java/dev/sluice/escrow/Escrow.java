package dev.sluice.escrow;

import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.store.BudgetStore;
import dev.sluice.store.LiveSent;
import dev.sluice.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The escrow this gateway node holds, one {@link EscrowAccount} per budget path, refilled from a
 * {@link BudgetStore}. The data plane looks an account up once per connection and charges it per
 * write; refills, renewals and settlements run on the store's threads.
 *
 * <p>On {@link #close()} every account is settled, so unspent escrow goes back to the budget; what
 * cannot be settled (the store failed, the process is killed) stays counted as spent and is found
 * as stranded at the next start. Thread-safe.
 */
public final class Escrow implements AutoCloseable, LiveSent {

  private static final Logger log = LoggerFactory.getLogger(Escrow.class);

  private final BudgetStore store;
  private final Clock clock;
  private final int lowWaterPercent;
  private final long grantTtlMillis;
  private final long maxWant;

  /** By {@link BudgetPath#key()}: an account outlives the tree its path was first taken from. */
  private final ConcurrentHashMap<String, EscrowAccount> accounts = new ConcurrentHashMap<>();

  /** The tree of the configuration in force once a reload was applied in place; null before. */
  private volatile BudgetTree tree;

  private volatile boolean closed;

  /**
   * @param lowWaterPercent refill in the background when an account falls below this percentage of
   *     its last grant (1..90)
   * @param grantTtl how long a grant may be spent without renewal; renewals start in its last
   *     quarter
   */
  public Escrow(BudgetStore store, Clock clock, int lowWaterPercent, Duration grantTtl) {
    this(store, clock, lowWaterPercent, grantTtl, DEFAULT_MAX_WANT);
  }

  /** Most bytes a fast account asks for in one grant unless configured otherwise: 64 MiB. */
  public static final long DEFAULT_MAX_WANT = 64L << 20;

  /**
   * @param maxWant the most bytes a fast-spending account asks for in one grant (the store still
   *     grants at most an eighth of what remains)
   */
  public Escrow(
      BudgetStore store, Clock clock, int lowWaterPercent, Duration grantTtl, long maxWant) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (lowWaterPercent < 1 || lowWaterPercent > 90) {
      throw new IllegalArgumentException("lowWaterPercent must be 1..90, got " + lowWaterPercent);
    }
    this.lowWaterPercent = lowWaterPercent;
    this.grantTtlMillis = grantTtl.toMillis();
    if (maxWant < 0) {
      throw new IllegalArgumentException("maxWant must be >= 0, got " + maxWant);
    }
    this.maxWant = maxWant;
  }

  /**
   * The account for {@code path}, created on first use. After a {@link #retree}, a path of an
   * earlier tree (a connection accepted before the reload) is the account of the same node ids in
   * the tree in force; if one of them was removed, the account is one that is never granted escrow
   * (every refill is unavailable, naming the removed path).
   */
  public EscrowAccount account(BudgetPath path) {
    if (closed) {
      throw new IllegalStateException("escrow is closed");
    }
    BudgetTree t = tree;
    BudgetPath p = t == null ? path : t.resolve(path);
    if (p == null) {
      EscrowAccount gone = new EscrowAccount(path, this);
      gone.retire(null);
      return gone;
    }
    return accounts.computeIfAbsent(p.key(), k -> new EscrowAccount(p, this));
  }

  /**
   * Follows a configuration reload applied in place, after the store's {@link BudgetStore#retree}:
   * every account's escrow set is settled (its unspent bytes go back to the store, its sent bytes
   * are counted once), and the account moves to the path of the same node ids in {@code next}, so
   * the connections holding it pay the new tree's caps from their next refill on. An account whose
   * path is gone is settled and never refilled again (a connection on it is refused or cut when the
   * bytes it already holds run out: none, after the settlement). Waits up to {@code timeout} for
   * the settlements to be durable, as {@link #close(Duration)} does.
   */
  public void retree(BudgetTree next, Duration timeout) {
    tree = Objects.requireNonNull(next, "next");
    List<CompletableFuture<Void>> fs = new ArrayList<>();
    for (var e : accounts.entrySet()) {
      EscrowAccount a = e.getValue();
      BudgetPath p = next.resolve(a.path());
      fs.add(a.retire(p));
      if (p == null) {
        accounts.remove(e.getKey(), a);
      }
    }
    await(fs, timeout, "escrow not fully settled at a reload; it stays counted as spent: {}");
  }

  /** Every account created so far. */
  public Collection<EscrowAccount> accounts() {
    return List.copyOf(accounts.values());
  }

  /**
   * Bytes charged so far from unsettled escrow on paths through the node with tree index {@code
   * nodeIndex}: the part of "sent" the store does not know yet.
   */
  @Override
  public long liveSent(int nodeIndex) {
    long sum = 0;
    for (EscrowAccount a : accounts.values()) {
      BudgetPath p = a.path();
      for (int i = 0; i < p.nodeCount(); i++) {
        if (p.node(i).index() == nodeIndex) {
          sum += a.sentInSet();
          break;
        }
      }
    }
    return sum;
  }

  /** Total bytes held as escrow by this node (granted, not yet charged). */
  public long held() {
    long sum = 0;
    for (EscrowAccount a : accounts.values()) {
      sum += a.available();
    }
    return sum;
  }

  /** Settles every account whose set has expired, returning idle escrow to the budget. */
  public CompletableFuture<Void> sweep() {
    long now = clock.millis();
    List<CompletableFuture<Void>> fs = new ArrayList<>();
    for (EscrowAccount a : accounts.values()) {
      fs.add(a.settleIfExpired(now));
    }
    return CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0]));
  }

  /**
   * Settles every account (returning unspent escrow) and waits up to {@code timeout} for the store
   * to make that durable. Accounts stop charging at once. Idempotent.
   */
  public void close(Duration timeout) {
    closed = true;
    List<CompletableFuture<Void>> fs = new ArrayList<>();
    for (EscrowAccount a : accounts.values()) {
      fs.add(a.settleNow("shutdown"));
    }
    await(fs, timeout, "escrow not fully settled at shutdown; it stays counted as spent: {}");
  }

  private static void await(List<CompletableFuture<Void>> fs, Duration timeout, String warning) {
    try {
      CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0]))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn(warning, e.toString());
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  Clock clock() {
    return clock;
  }

  BudgetStore store() {
    return store;
  }

  int lowWaterPercent() {
    return lowWaterPercent;
  }

  long grantTtlMillis() {
    return grantTtlMillis;
  }

  /** The most one account wishes for in one grant (see {@link EscrowAccount}). */
  long maxWant() {
    return maxWant;
  }
}
