package dev.sluice.store;

/**
 * Told about every grant a budget store answers, for metrics (a latency histogram and counters by
 * outcome). Called on the store's threads: must be quick and must not block or throw.
 */
@FunctionalInterface
public interface GrantObserver {

  /** Outcome label of a {@link GrantResult.Granted}. */
  String GRANTED = "granted";

  /** Outcome label of a {@link GrantResult.Denied}. */
  String DENIED = "denied";

  /** Outcome label of a {@link GrantResult.Unavailable}. */
  String UNAVAILABLE = "unavailable";

  /**
   * One grant was answered.
   *
   * @param latencyNanos from the request to its answer (monotonic clock)
   * @param outcome {@link #GRANTED}, {@link #DENIED} or {@link #UNAVAILABLE}
   * @param amount bytes granted (0 unless granted)
   */
  void onGrant(long latencyNanos, String outcome, long amount);

  /** Ignores everything. */
  GrantObserver NONE = (latencyNanos, outcome, amount) -> {};

  /** The outcome label of {@code r}. */
  static String outcome(GrantResult r) {
    if (r instanceof GrantResult.Granted) {
      return GRANTED;
    }
    return r instanceof GrantResult.Denied ? DENIED : UNAVAILABLE;
  }
}
