package dev.sluice.admin;

import dev.sluice.halt.HaltState;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Halts and resumes egress and ledgers it, with the order that keeps each fail-safe:
 *
 * <ul>
 *   <li><b>halt</b>: flip the switch first (bytes stop at the next write), then append a {@code
 *       halt} entry and wait until it is durable. If the ledger fails the halt stays in force and
 *       the caller is told it was not ledgered: stopping egress never waits on the ledger.
 *   <li><b>resume</b>: append a {@code resume} entry and wait until it is durable, then lift the
 *       switch. If the ledger fails, egress stays halted: bytes never flow again without evidence
 *       of who let them.
 * </ul>
 *
 * <p>Only changes are ledgered: halting a halted scope or resuming a running one answers "not
 * changed" and writes nothing. Calls are serialised, so the ledger's order of halts and resumes is
 * the order they took effect. Entries carry {@code scope} ({@code site} or the zone), {@code
 * reason} and {@code by}. Thread-safe.
 */
final class HaltControl {

  /** Who acted, in the ledger: the holder of the admin token. */
  static final String BY = "admin-token";

  /** How long a request waits for its entry to be durable before reporting a ledger failure. */
  static final Duration LEDGER_TIMEOUT = Duration.ofSeconds(10);

  /** What a halt or resume did. {@code ledgerIndex} is -1 when nothing was ledgered. */
  record Outcome(boolean changed, HaltState.Halt halt, long ledgerIndex) {}

  /** The ledger did not make the entry durable (failed, closed or too slow). */
  static final class NotLedgered extends Exception {
    private static final long serialVersionUID = 1L;

    NotLedgered(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final HaltState halts;
  private final Ledger ledger;
  private final Clock clock;

  HaltControl(HaltState halts, Ledger ledger, Clock clock) {
    this.halts = Objects.requireNonNull(halts, "halts");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Halts the site ({@code zone == null}) or a zone of the configuration.
   *
   * @throws NotLedgered if the halt is in force but its entry is not durable
   */
  synchronized Outcome halt(String zone, String reason) throws NotLedgered {
    HaltState.Flag flag = flag(zone);
    if (flag.on()) {
      return new Outcome(false, flag.halt(), -1);
    }
    long now = clock.millis();
    HaltState.Halt h = halts.halt(zone, reason, now);
    long index = ledger(EntryType.HALT, h.scope(), reason, now);
    return new Outcome(true, h, index);
  }

  /**
   * Lifts the halt of the site ({@code zone == null}) or a zone, once its entry is durable.
   *
   * @throws NotLedgered if the entry is not durable; the halt then stays in force
   */
  synchronized Outcome resume(String zone, String reason) throws NotLedgered {
    HaltState.Flag flag = flag(zone);
    HaltState.Halt current = flag.halt();
    if (current == null) {
      return new Outcome(false, null, -1);
    }
    long index = ledger(EntryType.RESUME, current.scope(), reason, clock.millis());
    halts.resume(zone);
    return new Outcome(true, current, index);
  }

  private HaltState.Flag flag(String zone) {
    return zone == null ? halts.site() : halts.zone(zone);
  }

  private long ledger(EntryType type, String scope, String reason, long now) throws NotLedgered {
    LedgerEntry entry =
        LedgerEntry.builder(type, now)
            .put("scope", scope)
            .put("reason", reason)
            .put("by", BY)
            .build();
    try {
      return ledger.append(entry).get(LEDGER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
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
