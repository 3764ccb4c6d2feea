package dev.sluice.bench.upstream;

import dev.sluice.demo.Pacer;
import dev.sluice.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Paces a stream at a fixed rate: event {@code k} is due {@code k} intervals after the first was
 * produced, whatever the writes cost, so a stream keeps its rate (a model emitting tokens) instead
 * of drifting slower by each write's time. An event already late is produced at once; the next is
 * still due on the schedule. The schedule starts when the first event (index 0) has been written,
 * at the first call. Time comes from the injected {@link Clock}; scheduling from the stream's event
 * loop. One instance per stream.
 */
final class RatePacer implements Pacer {
  private final Clock clock;
  private final long intervalNanos;
  private long startNanos = Long.MIN_VALUE;

  /**
   * @param eventsPerSecond events a second, more than 0
   */
  RatePacer(Clock clock, double eventsPerSecond) {
    if (!(eventsPerSecond > 0) || Double.isInfinite(eventsPerSecond)) {
      throw new IllegalArgumentException(
          "events per second must be a positive number, got " + eventsPerSecond);
    }
    this.clock = clock;
    this.intervalNanos = Math.max(1, Math.round(1e9 / eventsPerSecond));
  }

  /** How long to wait before event {@code index} (1 or more): until it is due, at least 0. */
  long delayNanos(int index) {
    if (startNanos == Long.MIN_VALUE) {
      // The first call comes as event 0 has been written: it marks the schedule's start.
      startNanos = clock.nanos() - (index - 1) * intervalNanos;
    }
    long due = startNanos + index * intervalNanos;
    return Math.max(0, due - clock.nanos());
  }

  @Override
  public void pace(int index, ScheduledExecutorService loop, Runnable produce) {
    long delay = delayNanos(index);
    if (delay == 0) {
      loop.execute(produce);
    } else {
      loop.schedule(produce, delay, TimeUnit.NANOSECONDS);
    }
  }
}
