package dev.sluice.escrow;

import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.Denial;
import dev.sluice.store.GrantRequest;
import dev.sluice.store.GrantResult;
import dev.sluice.store.Settlement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Escrow held by this gateway node for one budget path: bytes already durably reserved in the
 * budget store, spendable without I/O until {@link #expiresAt()}.
 *
 * <p>The hot path is {@link #tryCharge(long, long)}: a volatile read of the expiry and a
 * compare-and-set on the available bytes; no locks, no allocation. When the available bytes fall
 * below the low-water mark, or the expiry comes near, it asks {@link Escrow} for a refill in the
 * background, so steady traffic never waits. Everything else (refill, settle) is the control path
 * and synchronizes on the account.
 *
 * <p>An escrow <em>set</em> is the escrow granted to this account within one day: a set never
 * outlives the end of the local day (the store clamps expiries to it), so every byte charged from a
 * set belongs to the periods of the set's first grant. When a set expires it is settled: its
 * unspent bytes are returned to the store and a new set starts with the next grant.
 */
public final class EscrowAccount {

  /** The bytes were charged and may be written. */
  public static final int CHARGED = 0;

  /** Not enough escrow: call {@link #refill(long)} and try again when it completes. */
  public static final int INSUFFICIENT = 1;

  /** The escrow set expired (or none was granted yet): call {@link #refill(long)}. */
  public static final int EXPIRED = 2;

  /**
   * The receipt of a charge made by {@link #chargeWithReceipt} while the account's set changed: it
   * can never be refunded.
   */
  public static final long UNREFUNDABLE = Long.MAX_VALUE;

  /** Moved to the new tree's path by {@link #retire} at a reload; guarded by this for writes. */
  private volatile BudgetPath path;

  /** Set when the path was removed by a reload: the account is never granted escrow again. */
  private volatile boolean removed;

  private final Escrow escrow;

  // Hot path state.
  private final AtomicLong available = new AtomicLong();
  private volatile long expiresAt = Long.MIN_VALUE;
  private volatile long refillBelow;
  private volatile long renewAfter = Long.MAX_VALUE;
  private volatile boolean refilling;

  /**
   * Incremented (under the lock) each time a set is settled, after its available bytes were taken:
   * a charge that read the same generation before and after its compare-and-set took its bytes from
   * the set that is current while the generation is unchanged (see {@link #refund}).
   */
  private volatile long generation;

  // Control path state, guarded by this.
  private long setId;
  private long setTime;
  private long granted;
  private long lastGrantAmount;
  private long lastGrantAt;
  private CompletableFuture<Outcome> inFlight;
  private volatile Outcome last = Outcome.NONE;

  EscrowAccount(BudgetPath path, Escrow escrow) {
    this.path = path;
    this.escrow = escrow;
  }

  public BudgetPath path() {
    return path;
  }

  /**
   * Charges {@code n} bytes against the escrow at time {@code now} (epoch ms).
   *
   * @return {@link #CHARGED}, {@link #INSUFFICIENT} or {@link #EXPIRED}
   */
  public int tryCharge(long n, long now) {
    if (now >= expiresAt) {
      return EXPIRED;
    }
    long left;
    for (; ; ) {
      long a = available.get();
      if (a < n) {
        return INSUFFICIENT;
      }
      left = a - n;
      if (available.compareAndSet(a, left)) {
        break;
      }
    }
    if ((left < refillBelow || now >= renewAfter) && !refilling) {
      topUp();
    }
    return CHARGED;
  }

  /**
   * Charges {@code n} bytes at {@code now} as {@link #tryCharge(long, long)} does, and returns a
   * receipt that {@link #refund} takes: a receipt &ge; 0 if charged ({@link #UNREFUNDABLE} when a
   * settle ran during the charge), else minus {@link #INSUFFICIENT} or minus {@link #EXPIRED}.
   */
  public long chargeWithReceipt(long n, long now) {
    long before = generation;
    int r = tryCharge(n, now);
    if (r != CHARGED) {
      return -r;
    }
    long after = generation;
    return before == after ? after : UNREFUNDABLE;
  }

  /**
   * Gives back {@code n} bytes charged moments ago with receipt {@code receipt} (from {@link
   * #chargeWithReceipt}), if the set they came from is still the current one; otherwise they stay
   * counted as spent (over-counting is allowed, under-counting never: bytes returned to a set that
   * was already settled would be spent twice). Never give back more than that charge took, nor
   * bytes that were written.
   *
   * @return true if the bytes are available again
   */
  public synchronized boolean refund(long n, long receipt) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    if (receipt < 0 || receipt == UNREFUNDABLE || receipt != generation) {
      return false;
    }
    available.addAndGet(n);
    return true;
  }

  /** Charges {@code n} bytes now, reading the escrow's clock. */
  public int tryCharge(long n) {
    return tryCharge(n, escrow.clock().millis());
  }

  /** Bytes that can be charged without asking the store. */
  public long available() {
    return available.get();
  }

  /** Epoch ms from which nothing can be charged until a refill succeeds. */
  public long expiresAt() {
    return expiresAt;
  }

  /** Bytes charged from the current set so far. */
  public synchronized long sentInSet() {
    return granted - available.get();
  }

  /** The last refill outcome: what to tell a client that was refused. */
  public Outcome lastOutcome() {
    return last;
  }

  /**
   * Makes at least {@code need} bytes available (0: top up or renew): the escrow already held
   * counts toward them, so the store is asked only for what it lacks ({@code need - available()}),
   * and a need that the held escrow and what the store can still grant cover together is granted.
   * If the current set has expired it is settled first (its bytes are then back in the store and
   * the store is asked for all of {@code need}). Only one refill per account is in flight; a caller
   * needing more than the one in flight chains a second. Never throws; the future never fails.
   *
   * <p>Bytes charged by other callers while the grant is in flight may leave less than {@code need}
   * available when it completes; charging is checked again then, so nothing is over-spent.
   */
  public synchronized CompletableFuture<Outcome> refill(long need) {
    if (removed) {
      last =
          Outcome.unavailable(
              escrow.store().name(),
              "budget path " + path + " was removed by a configuration reload");
      return CompletableFuture.completedFuture(last);
    }
    if (inFlight != null) {
      return inFlight.thenCompose(o -> available.get() >= need ? inFlight(o) : refill(need));
    }
    long now = escrow.clock().millis();
    CompletableFuture<Void> settled = CompletableFuture.completedFuture(null);
    if (setId != 0 && now >= expiresAt) {
      settled = settleLocked("expired");
    }
    long held = available.get(); // 0 after a settle
    long lacking = need > held ? need - held : 0; // both >= 0: no overflow
    long sent = granted - held;
    GrantRequest request = new GrantRequest(path, setId, lacking, Math.max(0, sent), want(now));
    // Published before the store is asked: the store may answer on this very thread.
    CompletableFuture<Outcome> f = new CompletableFuture<>();
    inFlight = f;
    refilling = true;
    settled
        .thenCompose(v -> escrow.store().grant(request))
        .whenComplete((result, error) -> f.complete(apply(result, error)));
    return f;
  }

  /**
   * What to wish for: an account that needed a refill within a second of its last grant spends
   * fast, so it asks for twice the last grant (up to {@link Escrow#maxWant()}); one that refills
   * slowly takes the store's usual chunk. Fewer, larger grants at high rates: fewer fsyncs and no
   * waiting on refills, at the cost of more escrow held (bounded by about a second of traffic).
   */
  private long want(long now) {
    if (lastGrantAmount > 0 && now - lastGrantAt < 1_000) {
      return Math.min(escrow.maxWant(), Math.max(lastGrantAmount, lastGrantAmount * 2));
    }
    return 0;
  }

  /** Starts a background refill of 0 needed bytes unless one is in flight. */
  synchronized void topUp() {
    if (inFlight == null) {
      refill(0);
    }
  }

  private static CompletableFuture<Outcome> inFlight(Outcome o) {
    return CompletableFuture.completedFuture(o);
  }

  private synchronized Outcome apply(GrantResult result, Throwable error) {
    inFlight = null;
    refilling = false;
    Outcome o;
    if (error != null) {
      o = Outcome.unavailable(escrow.store().name(), String.valueOf(error));
    } else if (result instanceof GrantResult.Granted g) {
      if (setId == 0) {
        setId = g.setId();
        setTime = g.setTime();
      }
      granted += g.amount();
      available.addAndGet(g.amount());
      if (g.amount() > 0) {
        lastGrantAmount = g.amount();
        lastGrantAt = escrow.clock().millis();
      }
      long ttl = escrow.grantTtlMillis();
      if (g.amount() > 0) {
        refillBelow = Math.max(1, g.amount() / 100 * escrow.lowWaterPercent());
      }
      // An expiry clamped to the end of the day cannot be renewed past it: no early renewal then.
      boolean clamped = g.expiresAt() - escrow.clock().millis() < ttl;
      renewAfter = clamped ? Long.MAX_VALUE : g.expiresAt() - ttl / 4;
      expiresAt = g.expiresAt();
      o = Outcome.GRANTED;
    } else if (result instanceof GrantResult.Denied d) {
      o = Outcome.denied(d.denial());
    } else {
      GrantResult.Unavailable u = (GrantResult.Unavailable) result;
      o = Outcome.unavailable(u.store(), u.reason());
    }
    last = o;
    return o;
  }

  /**
   * Ends the current set if it has expired at {@code now}, returning its unspent bytes. Called by
   * the sweeper for idle accounts.
   */
  synchronized CompletableFuture<Void> settleIfExpired(long now) {
    if (setId == 0 || now < expiresAt || inFlight != null) {
      return CompletableFuture.completedFuture(null);
    }
    return settleLocked("expired");
  }

  /**
   * At a reload applied in place: ends the current set (after a refill in flight), returning its
   * unspent bytes, and moves the account to {@code next}, the same node ids in the new tree (null:
   * the path was removed, and the account is never refilled again). Charges find the account
   * expired from then on, so the next refill asks the store for escrow under the new caps.
   */
  synchronized CompletableFuture<Void> retire(BudgetPath next) {
    if (inFlight != null) {
      return inFlight.thenCompose(o -> retire(next));
    }
    if (next == null) {
      removed = true;
    } else {
      path = next;
    }
    if (setId == 0) {
      expiresAt = Long.MIN_VALUE;
      return CompletableFuture.completedFuture(null);
    }
    return settleLocked("reload");
  }

  /** Ends the current set now (shutdown), returning its unspent bytes. */
  synchronized CompletableFuture<Void> settleNow(String reason) {
    if (inFlight != null) {
      return inFlight.thenCompose(o -> settleNow(reason));
    }
    if (setId == 0) {
      return CompletableFuture.completedFuture(null);
    }
    return settleLocked(reason);
  }

  private CompletableFuture<Void> settleLocked(String reason) {
    expiresAt = Long.MIN_VALUE;
    renewAfter = Long.MAX_VALUE;
    long returned = available.getAndSet(0);
    generation++; // after the bytes were taken: a charge in between found them gone
    Settlement s =
        new Settlement(path, setId, setTime, granted, granted - returned, returned, reason);
    setId = 0;
    setTime = 0;
    granted = 0;
    return escrow.store().settle(s).exceptionally(e -> null);
  }

  @Override
  public String toString() {
    return "EscrowAccount[" + path + " available=" + available.get() + "]";
  }

  /** What a refill achieved. {@code denial} is set for DENIED, {@code reason} for UNAVAILABLE. */
  public record Outcome(Kind kind, Denial denial, String store, String reason) {

    /** Granted, refused by a cap, or the store could not prove a grant. */
    public enum Kind {
      NONE,
      GRANTED,
      DENIED,
      UNAVAILABLE
    }

    static final Outcome NONE = new Outcome(Kind.NONE, null, null, null);
    static final Outcome GRANTED = new Outcome(Kind.GRANTED, null, null, null);

    static Outcome denied(Denial d) {
      return new Outcome(Kind.DENIED, d, null, null);
    }

    static Outcome unavailable(String store, String reason) {
      return new Outcome(Kind.UNAVAILABLE, null, store, reason);
    }
  }
}
