package dev.sluice.transfer;

import java.util.ArrayList;
import java.util.List;

/**
 * The approved large transfers in force on this node: what the data plane asks. An allowance lives
 * until its expiry on the injected clock. Who fills it decides how long it lasts beyond that: on
 * the local store the node saves its allowances in a {@link TransferFile} and registers them again
 * at start; with a shared store they are replaced wholesale by every confirmed listing of the
 * fleet's ({@link #replace}), and honoured only until {@code confirmedUntil}, so a node that stops
 * hearing from the store stops honouring them (fail closed). Thread-safe: the admin API and the
 * fleet listener write, the data plane's event loops ask.
 */
public final class TransferAllowances {

  private final List<TransferAllowance> allowed = new ArrayList<>();
  private long confirmedUntil = Long.MAX_VALUE;

  /**
   * Replaces every allowance with {@code all}, honoured until {@code confirmedUntilMillis} (on the
   * injected clock) unless confirmed again by a later call.
   */
  public synchronized void replace(List<TransferAllowance> all, long confirmedUntilMillis) {
    allowed.clear();
    allowed.addAll(all);
    confirmedUntil = confirmedUntilMillis;
  }

  /** Registers {@code a} until its expiry. */
  public synchronized void allow(TransferAllowance a) {
    allowed.add(a);
  }

  /**
   * The largest single transfer allowed for {@code tenant} of {@code zone} to {@code destination}
   * at {@code nowMillis}, or 0 when no allowance covers it (or the allowances are no longer
   * confirmed). Drops expired allowances.
   */
  public synchronized long largest(String zone, String tenant, String destination, long nowMillis) {
    if (nowMillis >= confirmedUntil) {
      return 0;
    }
    allowed.removeIf(a -> nowMillis >= a.expiresMillis());
    long most = 0;
    for (TransferAllowance a : allowed) {
      if (a.covers(zone, tenant, destination, nowMillis)) {
        most = Math.max(most, a.bytes());
      }
    }
    return most;
  }

  /** The allowances in force at {@code nowMillis} (none while unconfirmed). */
  public synchronized List<TransferAllowance> active(long nowMillis) {
    if (nowMillis >= confirmedUntil) {
      return List.of();
    }
    allowed.removeIf(a -> nowMillis >= a.expiresMillis());
    return List.copyOf(allowed);
  }
}
