package dev.sluice.transfer;

import java.util.ArrayList;
import java.util.List;

/**
 * The approved large transfers in force on this node, in memory only: an allowance lives until its
 * expiry, and a restart or a reload (which starts a node bound to another configuration hash, to
 * which the approvals were not bound) drops them all. Thread-safe: the admin API adds, the data
 * plane's event loops ask.
 */
public final class TransferAllowances {

  private final List<TransferAllowance> allowed = new ArrayList<>();

  /** Registers {@code a} until its expiry. */
  public synchronized void allow(TransferAllowance a) {
    allowed.add(a);
  }

  /**
   * The largest single transfer allowed for {@code tenant} of {@code zone} to {@code destination}
   * at {@code nowMillis}, or 0 when no allowance covers it. Drops expired allowances.
   */
  public synchronized long largest(String zone, String tenant, String destination, long nowMillis) {
    allowed.removeIf(a -> nowMillis >= a.expiresMillis());
    long most = 0;
    for (TransferAllowance a : allowed) {
      if (a.covers(zone, tenant, destination, nowMillis)) {
        most = Math.max(most, a.bytes());
      }
    }
    return most;
  }

  /** The allowances in force at {@code nowMillis}. */
  public synchronized List<TransferAllowance> active(long nowMillis) {
    allowed.removeIf(a -> nowMillis >= a.expiresMillis());
    return List.copyOf(allowed);
  }
}
