package dev.sluice.admin;

import dev.sluice.time.Window;

/**
 * How long the model's weights would take to leave: at a cap (if that cap were spent in full every
 * period, and were the only limit), and at an egress rate. These are the numbers that say whether
 * the budgets do their job; {@code docs/metrics.md} explains them.
 *
 * <p>Display only: nothing here decides whether a byte may leave, so the results are doubles, with
 * {@code +Inf} meaning "never".
 */
final class Exfiltration {

  /** Average Gregorian month in days, so monthly caps compare with daily ones. */
  static final double DAYS_PER_MONTH = 30.436875;

  static final double SECONDS_PER_DAY = 86_400;

  private Exfiltration() {}

  /**
   * Days for {@code weightBytes} to leave at {@code cap} bytes per period of {@code window}: the
   * number of periods times the period's length. A cap of 0 never lets them out ({@code +Inf}). A
   * lifetime cap has one period: below the weights they never leave ({@code +Inf}); at or above
   * them this limit alone does not slow them (0).
   */
  static double daysAtCap(long weightBytes, Window window, long cap) {
    if (cap <= 0) {
      return Double.POSITIVE_INFINITY;
    }
    double periods = (double) weightBytes / cap;
    return switch (window) {
      case DAY -> periods;
      case WEEK -> periods * 7;
      case MONTH -> periods * DAYS_PER_MONTH;
      case LIFETIME -> cap < weightBytes ? Double.POSITIVE_INFINITY : 0;
    };
  }

  /** Days for {@code weightBytes} to leave at a steady {@code bytesPerSecond}; +Inf at 0. */
  static double daysAtRate(long weightBytes, double bytesPerSecond) {
    if (!(bytesPerSecond > 0)) {
      return Double.POSITIVE_INFINITY;
    }
    return weightBytes / bytesPerSecond / SECONDS_PER_DAY;
  }
}
