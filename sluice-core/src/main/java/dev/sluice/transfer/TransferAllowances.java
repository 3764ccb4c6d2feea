package dev.sluice.transfer;

import java.util.ArrayList;
import java.util.List;

/**
 * The approved large transfers in force on this node: what the data plane asks. An allowance lives
 * until its expiry on the injected clock. Who fills it decides how long it lasts beyond that: on
 * the local store the node saves its allowances in a {@link TransferFile} and registers them again
 * at start ({@link #allow}); with a shared store every confirmed listing of the fleet's replaces
 * the fleet's part ({@link #replace}), and <em>every</em> allowance, those made through this node
 * included, is honoured only until {@code confirmedUntil}, so a node that stops hearing from the
 * store stops honouring them (fail closed). Those made through this node are kept apart from the
 * listings, so a listing read just before one was published does not hide it for a moment. Thread
 * safe: the admin API and the fleet listener write, the data plane's event loops ask.
 */
public final class TransferAllowances {

  private final List<TransferAllowance> own = new ArrayList<>();
  private final List<TransferAllowance> fleet = new ArrayList<>();
  private long confirmedUntil = Long.MAX_VALUE;

  /**
   * Replaces the fleet's allowances with {@code all}; every allowance is honoured until {@code
   * confirmedUntilMillis} (on the injected clock) unless confirmed again by a later call.
   */
  public synchronized void replace(List<TransferAllowance> all, long confirmedUntilMillis) {
    fleet.clear();
    fleet.addAll(all);
    confirmedUntil = confirmedUntilMillis;
  }

  /** Registers {@code a} (made through this node, or read back at start) until its expiry. */
  public synchronized void allow(TransferAllowance a) {
    own.add(a);
  }

  /**
   * The largest single transfer allowed for {@code tenant} of {@code zone} to {@code destination}
   * at {@code nowMillis}, or 0 when no allowance covers it (or the allowances are no longer
   * confirmed). Drops expired allowances.
   */
  public synchronized long largest(String zone, String tenant, String destination, long nowMillis) {
    long most = 0;
    for (TransferAllowance a : active(nowMillis)) {
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
    own.removeIf(a -> nowMillis >= a.expiresMillis());
    fleet.removeIf(a -> nowMillis >= a.expiresMillis());
    List<TransferAllowance> all = new ArrayList<>(own);
    all.addAll(fleet);
    return all;
  }
}
