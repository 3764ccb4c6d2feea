package dev.sluice.time;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to. For tests and simulations; thread-safe. The monotonic
 * reading advances together with the wall clock, and never backwards even if the wall clock is set
 * back.
 */
public final class ManualClock implements Clock {

  private final AtomicLong millis;
  private final AtomicLong nanos = new AtomicLong();

  public ManualClock(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
  }

  public static ManualClock at(String isoInstant) {
    return new ManualClock(Instant.parse(isoInstant));
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public long nanos() {
    return nanos.get();
  }

  /** Moves both readings forward by {@code d} (which must not be negative). */
  public void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("cannot advance by a negative duration: " + d);
    }
    millis.addAndGet(d.toMillis());
    nanos.addAndGet(d.toNanos());
  }

  /** Sets the wall clock (it may go backwards, like a real clock being corrected). */
  public void setWall(Instant t) {
    millis.set(t.toEpochMilli());
  }

  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }
}
