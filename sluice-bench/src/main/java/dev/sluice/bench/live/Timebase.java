package dev.sluice.bench.live;

import dev.sluice.time.Clock;

/**
 * Turns monotonic readings into epoch nanoseconds the way the family upstream's send log does (one
 * wall reading, then the monotonic clock), so that a client's arrival times and the upstream's send
 * times can be subtracted. Two processes' timebases differ by their wall readings' error (a
 * millisecond or so), which cancels when two paths measured by one client are compared.
 */
public record Timebase(long epochNanosAt, long nanosAt) {

  public static Timebase of(Clock clock) {
    long nanos = clock.nanos();
    return new Timebase(clock.millis() * 1_000_000L, nanos);
  }

  public long epochNanos(long nanos) {
    return epochNanosAt + (nanos - nanosAt);
  }
}
