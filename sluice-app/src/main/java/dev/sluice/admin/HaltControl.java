package dev.sluice.admin;

import dev.sluice.gateway.evidence.LogValue;
import dev.sluice.halt.FleetHalts;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * carry {@code scope} ({@code site} or the zone), {@code reason} and {@code by}.
 *
 * <p><b>The fleet</b> (a shared etcd store, {@link FleetHalts}): a halt is published to the fleet
 * right after the switch flips (while its entry goes to the ledger); {@code await} also waits for
 * that, and a halt that could not be published stays in force here and is published by {@link
 * FleetHaltSync} as soon as etcd answers. A resume lifts the fleet halt after its entry is durable
 * and before the switch here: if etcd cannot be reached, egress stays halted everywhere and {@code
 * await} says so. Halts and lifts other nodes publish arrive through {@link #applyFleetHalt} and
 * {@link #applyFleetLift}, which keep the same order (halt here first, resume only once ledgered)
 * and ledger them with {@code via: etcd}, the node they came from ({@code from_node}) and the halt
 * key's revision ({@code fleet_revision}). Thread-safe.
 */
final class HaltControl {

  private static final Logger log = LoggerFactory.getLogger(HaltControl.class);

  /** Who acted, in the ledger: the holder of the admin token. */
  static final String BY = "admin-token";

  /** How long {@code await()} waits for an entry to be durable. */
  static final Duration LEDGER_TIMEOUT = Duration.ofSeconds(10);

  /**
   * What a halt or resume did. {@code ledgerIndex} is -1 when nothing was ledgered. {@code fleet}:
   * {@code none} (no shared store), {@code published}, {@code not_published} (the halt holds here
   * and is published as soon as etcd answers) or {@code lifted}; {@code fleetDetail} says more.
   */
  record Outcome(
      boolean changed, HaltState.Halt halt, long ledgerIndex, String fleet, String fleetDetail) {
    Outcome(boolean changed, HaltState.Halt halt, long ledgerIndex) {
      this(changed, halt, ledgerIndex, "none", "");
    }
  }

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
     * @throws NotLifted if the fleet halt could not be lifted in etcd; egress stays halted
     */
    Outcome await() throws NotLedgered, Conflict, NotLifted;
  }

  /** The ledger did not make the entry durable (failed, closed or too slow). */
  static final class NotLedgered extends Exception {
    private static final long serialVersionUID = 1L;

    NotLedgered(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The fleet halt could not be lifted in etcd, so egress stays halted (everywhere). */
  static final class NotLifted extends Exception {
    private static final long serialVersionUID = 1L;

    NotLifted(String message, Throwable cause) {
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
  private final FleetLink link;

  // Guarded by this: halts per scope (a resume only lifts if none came after it), pending resumes.
  private final Map<String, Long> haltsSeen = new HashMap<>();
  private final Set<String> resuming = new HashSet<>();

  HaltControl(HaltState halts, Ledger ledger, Clock clock) {
    this(halts, ledger, clock, FleetHalts.NONE, LEDGER_TIMEOUT);
  }

  /**
   * @param fleet the halts shared with every node of the store ({@link FleetHalts#NONE}: none)
   * @param fleetTimeout how long {@code await()} waits for etcd to publish or lift
   */
  HaltControl(
      HaltState halts, Ledger ledger, Clock clock, FleetHalts fleet, Duration fleetTimeout) {
    this.halts = Objects.requireNonNull(halts, "halts");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.link = new FleetLink(fleet, halts, BY, fleetTimeout);
  }

  /** Whether halts are shared with a fleet. */
  boolean shared() {
    return link.shared();
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
        HaltState.Halt h = flag.halt();
        String state = !shared() ? "none" : h.published() ? "published" : "not_published";
        String detail =
            h.published() ? "fleet halt key revision " + h.fleetRevision() : link.pendingDetail();
        Outcome unchanged = new Outcome(false, h, -1, state, shared() ? detail : "");
        return () -> unchanged;
      }
      long now = clock.millis();
      halt = halts.halt(zone, reason, now);
      entry = ledger.append(entry(EntryType.HALT, scope, reason, now));
    }
    CompletableFuture<Long> published = link.publish(zone, halt);
    return () -> {
      long index = durable(entry);
      if (!shared()) {
        return new Outcome(true, halt, index);
      }
      try {
        long rev = published.get(link.timeoutMillis(), TimeUnit.MILLISECONDS);
        return new Outcome(true, halt, index, "published", "fleet halt key revision " + rev);
      } catch (ExecutionException | TimeoutException e) {
        return new Outcome(
            true, halt, index, "not_published", link.pendingDetail() + ": " + FleetLink.why(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Outcome(true, halt, index, "not_published", link.pendingDetail());
      }
    };
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
      long fleetRevision;
      synchronized (this) {
        if (haltsSeen.getOrDefault(scope, 0L) != seen) {
          resuming.remove(scope);
          throw conflict(scope);
        }
        fleetRevision = flag(zone).halt().fleetRevision();
      }
      try {
        link.lift(scope, reason, BY, fleetRevision);
      } catch (NotLifted | Conflict e) {
        synchronized (this) {
          resuming.remove(scope);
        }
        throw e;
      }
      synchronized (this) {
        resuming.remove(scope);
        if (haltsSeen.getOrDefault(scope, 0L) != seen) {
          // A halt came in while the fleet halt was being lifted: the key may be gone, so the
          // halt in force here is marked unpublished and published again (a halt wins).
          HaltState.Halt now = flag(zone).halt();
          if (shared() && now != null) {
            link.publish(zone, halts.markPublished(zone, now, 0)).exceptionally(e -> 0L);
          }
          throw conflict(scope);
        }
        halts.resume(zone);
      }
      return shared()
          ? new Outcome(true, current, index, "lifted", "lifted in " + link.describe())
          : new Outcome(true, current, index);
    };
  }

  private static Conflict conflict(String scope) {
    return new Conflict(
        "a halt of " + scope + " arrived while the resume was being ledgered; egress stays halted");
  }

  /**
   * A halt of {@code zone} (null: the site) found in the fleet: put in force here at once unless a
   * halt already is, then ledgered; returns once the entry is durable (or failed, logged). A halt
   * already in force here is marked as that fleet halt, except while this node's own resume of it
   * is pending: then the resume is superseded (it lifts only the halt it saw).
   */
  void applyFleetHalt(String zone, FleetHalts.Halt h) {
    String scope = scope(zone);
    CompletableFuture<Long> entry;
    synchronized (this) {
      HaltState.Halt cur = flag(zone).halt();
      if (cur != null) {
        if (cur.fleetRevision() != h.revision()) {
          if (resuming.contains(scope)) {
            haltsSeen.merge(scope, 1L, Long::sum);
          } else {
            halts.markPublished(zone, cur, h.revision());
          }
        }
        return;
      }
      haltsSeen.merge(scope, 1L, Long::sum);
      long now = clock.millis();
      halts.halt(zone, h.reason(), now, h.revision());
      log.warn(
          "egress of {} HALTED through the fleet (node {}, {}): {}",
          scope,
          h.node(),
          h.by(),
          LogValue.of(h.reason()));
      entry =
          ledger.append(
              fleetEntry(EntryType.HALT, scope, h.reason(), h.by(), h.node(), h.revision(), now));
    }
    try {
      durable(entry);
    } catch (NotLedgered e) {
      log.error("the fleet halt of {} is in force but not ledgered: {}", scope, e.getMessage());
    }
  }

  /**
   * No fleet halt of {@code zone} in the fleet's snapshot of {@code revision}: a halt here that was
   * published (and is not newer than the snapshot) was lifted elsewhere, so it is resumed here, the
   * {@code resume} entry first (who lifted it, from {@code lift} when it names this halt); a halt
   * here that was never published is published now (a halt wins). Returns once done.
   */
  void applyFleetLift(String zone, long revision, FleetHalts.Lift lift) {
    String scope = scope(zone);
    HaltState.Halt cur;
    long seen;
    CompletableFuture<Long> entry;
    synchronized (this) {
      cur = flag(zone).halt();
      if (cur == null || resuming.contains(scope) || revision < cur.fleetRevision()) {
        return;
      }
      if (cur.published()) {
        resuming.add(scope);
        seen = haltsSeen.getOrDefault(scope, 0L);
        boolean named = lift != null && lift.haltRevision() == cur.fleetRevision();
        String reason = named ? lift.reason() : "the fleet halt was lifted in etcd";
        String by = named ? lift.by() : "unknown";
        String node = named ? lift.node() : "unknown";
        entry =
            ledger.append(
                fleetEntry(
                    EntryType.RESUME,
                    scope,
                    reason,
                    by,
                    node,
                    cur.fleetRevision(),
                    clock.millis()));
      } else {
        entry = null;
        seen = 0;
      }
    }
    if (entry == null) {
      link.publish(zone, cur).exceptionally(e -> 0L);
      return;
    }
    try {
      durable(entry);
    } catch (NotLedgered e) {
      synchronized (this) {
        resuming.remove(scope);
      }
      log.error(
          "the fleet lifted the halt of {}, but the resume is not ledgered, so it stays"
              + " halted here: {}",
          scope,
          e.getMessage());
      return;
    }
    synchronized (this) {
      resuming.remove(scope);
      if (haltsSeen.getOrDefault(scope, 0L) == seen && cur.equals(flag(zone).halt())) {
        halts.resume(zone);
        log.warn("egress of {} RESUMED through the fleet", scope);
      }
    }
  }

  private static LedgerEntry fleetEntry(
      EntryType type, String scope, String reason, String by, String node, long rev, long now) {
    return LedgerEntry.builder(type, now)
        .put("scope", scope)
        .put("reason", reason)
        .put("by", by)
        .put("via", "etcd")
        .put("from_node", node)
        .put("fleet_revision", rev)
        .build();
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
