package dev.sluice.store;

import dev.sluice.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A budget store's time: its clock, but never earlier than any time the store used before. Budget
 * entries are stamped with it, so replaying them attributes every byte to the same period as the
 * live store did, and a store never charges a period it has already left, even if the wall clock
 * steps back. Used by both stores. Thread-safe.
 */
public final class StoreTime {

  private final Clock clock;
  private final AtomicLong highWater;

  /**
   * @param floor the earliest time the store may use (the latest time it used before, if known)
   */
  public StoreTime(Clock clock, long floor) {
    this.clock = clock;
    this.highWater = new AtomicLong(floor);
  }

  /** Now, in epoch milliseconds: the clock, or the latest time used if the clock is behind it. */
  public long now() {
    return highWater.accumulateAndGet(clock.millis(), Math::max);
  }
}
