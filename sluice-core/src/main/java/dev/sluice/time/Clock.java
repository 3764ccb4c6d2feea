package dev.sluice.time;

/**
 * The only source of time in Sluice. Everything that needs the time of day or a monotonic reading
 * takes a {@code Clock}, so tests can inject a {@link ManualClock} and never sleep.
 *
 * <p>{@link #millis()} is wall-clock time (epoch milliseconds, used for windows, expiries and
 * ledger timestamps); {@link #nanos()} is a monotonic reading only meaningful as a difference (used
 * for durations and intervals).
 */
public interface Clock {

  /** Wall-clock time in milliseconds since the Unix epoch. */
  long millis();

  /** Monotonic time in nanoseconds; only differences between two readings mean anything. */
  long nanos();

  /** The clock of the machine. */
  static Clock system() {
    return SystemClock.INSTANCE;
  }
}
