package dev.sluice.demo;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Decides when the next server-sent event of a stream is produced. The stream writes its first
 * event at once; after each event has been written to the socket it asks the pacer for the next, so
 * a stream never has more than one event in flight (back-pressure from slow readers for free).
 *
 * <p>The default paces with the event loop's own scheduler, never by sleeping. Tests can hold
 * {@code produce} and run it once they have seen the previous event arrive, which proves that
 * events leave one by one.
 */
@FunctionalInterface
public interface Pacer {

  /**
   * Arranges for {@code produce} to run exactly once, when event {@code index} (1 for the event
   * after the first) should be produced. Called on the stream's event loop and must not block.
   * {@code produce} may be run on any thread; it hands itself to {@code loop}.
   *
   * @param loop the stream's event loop, for scheduling
   */
  void pace(int index, ScheduledExecutorService loop, Runnable produce);

  /** Produces every event as soon as the previous one is written. */
  static Pacer immediate() {
    return (index, loop, produce) -> loop.execute(produce);
  }

  /** Waits {@code delay} after each write before producing the next event (a model's speed). */
  static Pacer fixedDelay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, got " + delay);
    }
    if (delay.isZero()) {
      return immediate();
    }
    long nanos = delay.toNanos();
    return (index, loop, produce) -> loop.schedule(produce, nanos, TimeUnit.NANOSECONDS);
  }
}
