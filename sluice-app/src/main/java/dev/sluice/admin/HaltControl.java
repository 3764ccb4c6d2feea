package dev.sluice.admin;

import dev.sluice.halt.HaltState;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Halts and resumes egress and ledgers it, in the order that keeps each fail-safe (see {@code
 * docs/decisions/0008}):
 *
 * <ul>
 *   <li><b>halt</b>: flip the switch at once (bytes stop at the next write), then append a {@code
 *       halt} entry; {@code await()} waits until it is durable. If the ledger fails the halt stays
 *       in force and {@code await} says it was not ledgered. A halt never waits for the ledger or
 *       for another request's ledger entry: the lock is held only to flip and enqueue.
 *   <li><b>resume</b>: append a {@code resume} entry; {@code await} waits until it is durable and
 *       only then lifts the switch. If the ledger fails, egress stays halted. If a halt of the same
 *       scope arrives meanwhile, it wins: the resume is superseded and egress stays halted.
 * </ul>
 *
 * <p>Only changes are ledgered: halting a halted scope or resuming a running one is "not changed"
 * and writes nothing (except a halt that supersedes a pending resume, which is ledgered after it).
 * Entries are enqueued under the lock, so the ledger's order is the order of the decisions. Entries
 * carry {@code scope} ({@code site} or the zone), {@code reason} and {@code by}. Thread-safe.
 */
final class HaltControl {

  /** Who acted, in the ledger: the holder of the admin token. */
  static final String BY = "admin-token";

  /** How long {@code await()} waits for an entry to be durable. */
  static final Duration LEDGER_TIMEOUT = Duration.ofSeconds(10);

  /** What a halt or resume did. {@code ledgerIndex} is -1 when nothing was ledgered. */
  record Outcome(boolean changed, HaltState.Halt halt, long ledgerIndex) {}

  /** A halt in force whose entry may still be on its way to the ledger. */
  @FunctionalInterface
  interface PendingHalt {
    /**
     * Waits until the entry is durable.
     *
     * @throws NotLedgered if it is not; the halt stays in force
     */
    Outcome await() throws NotLedgered;
  }

  /** A resume waiting for its entry to be durable. */
  @FunctionalInterface
  interface PendingResume {
    /**
     * Waits until the entry is durable, then lifts the halt.
     *
     * @throws NotLedgered if the entry is not durable; the halt stays in force
     * @throws Conflict if a halt of the same scope superseded this resume
     */
    Outcome await() throws NotLedgered, Conflict;
  }

  /** The ledger did not make the entry durable (failed, closed or too slow). */
  static final class NotLedgered extends Exception {
    private static final long serialVersionUID = 1L;

    NotLedgered(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A resume that cannot happen because of another request on the same scope. */
  static final class Conflict extends Exception {
    private static final long serialVersionUID = 1L;

    Conflict(String message) {
      super(message);
    }
  }

  private final HaltState halts;
  private final Ledger ledger;
  private final Clock clock;

  // Guarded by this: halts per scope (a resume only lifts if none came after it), pending resumes.
  private final Map<String, Long> haltsSeen = new HashMap<>();
  private final Set<String> resuming = new HashSet<>();

  HaltControl(HaltState halts, Ledger ledger, Clock clock) {
    this.halts = Objects.requireNonNull(halts, "halts");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Halts the site ({@code zone == null}) or a zone of the configuration, now. */
  PendingHalt halt(String zone, String reason) {
    String scope = scope(zone);
    HaltState.Halt halt;
    CompletableFuture<Long> entry;
    synchronized (this) {
      haltsSeen.merge(scope, 1L, Long::sum);
      HaltState.Flag flag = flag(zone);
      if (flag.on() && !resuming.contains(scope)) {
        Outcome unchanged = new Outcome(false, flag.halt(), -1);
        return () -> unchanged;
      }
      long now = clock.millis();
      halt = halts.halt(zone, reason, now);
      entry = ledger.append(entry(EntryType.HALT, scope, reason, now));
    }
    return () -> new Outcome(true, halt, durable(entry));
  }

  /**
   * Starts lifting the halt of the site ({@code zone == null}) or a zone; {@code await()} lifts it
   * once the entry is durable.
   *
   * @throws Conflict if a resume of the same scope is already waiting for the ledger
   */
  PendingResume resume(String zone, String reason) throws Conflict {
    String scope = scope(zone);
    HaltState.Halt current;
    long seen;
    CompletableFuture<Long> entry;
    synchronized (this) {
      current = flag(zone).halt();
      if (current == null) {
        return () -> new Outcome(false, null, -1);
      }
      if (!resuming.add(scope)) {
        throw new Conflict("a resume of " + scope + " is already waiting for the ledger");
      }
      seen = haltsSeen.getOrDefault(scope, 0L);
      entry = ledger.append(entry(EntryType.RESUME, scope, reason, clock.millis()));
    }
    return () -> {
      long index;
      try {
        index = durable(entry);
      } catch (NotLedgered e) {
        synchronized (this) {
          resuming.remove(scope);
        }
        throw e;
      }
      synchronized (this) {
        resuming.remove(scope);
        if (haltsSeen.getOrDefault(scope, 0L) != seen) {
          throw new Conflict(
              "a halt of "
                  + scope
                  + " arrived while the resume was being ledgered;"
                  + " egress stays halted");
        }
        halts.resume(zone);
      }
      return new Outcome(true, current, index);
    };
  }

  private static String scope(String zone) {
    return zone == null ? HaltState.SITE : zone;
  }

  private HaltState.Flag flag(String zone) {
    return zone == null ? halts.site() : halts.zone(zone);
  }

  private static LedgerEntry entry(EntryType type, String scope, String reason, long now) {
    return LedgerEntry.builder(type, now)
        .put("scope", scope)
        .put("reason", reason)
        .put("by", BY)
        .build();
  }

  private static long durable(CompletableFuture<Long> entry) throws NotLedgered {
    try {
      return entry.get(LEDGER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new NotLedgered(String.valueOf(cause.getMessage()), cause);
    } catch (TimeoutException e) {
      throw new NotLedgered(
          "the ledger did not make the entry durable within " + LEDGER_TIMEOUT.toSeconds() + " s",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NotLedgered("interrupted while waiting for the ledger", e);
    }
  }
}
