package dev.sluice.store;

/**
 * The byte and time arithmetic both budget stores (this package's {@link LocalBudgetStore} and the
 * etcd store of {@code sluice-cluster}) do on escrow sets, written once so that they count a set's
 * bytes alike. Counters, amounts and times are never negative, so the only overflow to guard
 * against is upwards; where a sum may overflow it saturates rather than wraps (a counter stuck at
 * {@link Long#MAX_VALUE} over-counts, which is safe), elsewhere it fails loudly.
 */
public final class StoreMath {

  private StoreMath() {}

  /** {@code a + b}, or {@link Long#MAX_VALUE} where the sum would overflow. */
  public static long saturatedAdd(long a, long b) {
    long r = a + b;
    // Overflow iff the result's sign differs from both operands' signs.
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  /**
   * When a grant made at {@code now} expires: {@code ttlMillis} later, but never after {@code
   * dayEnd}, the end of its set's day (a set's bytes belong to the periods of its first grant).
   */
  public static long expiresAt(long now, long ttlMillis, long dayEnd) {
    return Math.min(saturatedAdd(now, ttlMillis), dayEnd);
  }

  /**
   * The bytes of a set that count as sent: what its holder reported, never more than the set was
   * granted (a report can only be trusted up to what it could have spent).
   */
  public static long sentOf(long granted, long reportedSent) {
    return Math.min(reportedSent, granted);
  }

  /**
   * The bytes of a set not reported sent: returned by a settlement, or stranded (counted as spent)
   * when the set was never settled.
   */
  public static long unsentOf(long granted, long reportedSent) {
    return Math.subtractExact(granted, sentOf(granted, reportedSent));
  }
}
