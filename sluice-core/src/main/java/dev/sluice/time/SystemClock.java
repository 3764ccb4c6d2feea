package dev.sluice.time;

/**
 * The machine's clock. This is the one class in Sluice that calls {@link
 * System#currentTimeMillis()} and {@link System#nanoTime()}; everything else is given a {@link
 * Clock}.
 */
final class SystemClock implements Clock {

  static final SystemClock INSTANCE = new SystemClock();

  private SystemClock() {}

  @Override
  public long millis() {
    return System.currentTimeMillis();
  }

  @Override
  public long nanos() {
    return System.nanoTime();
  }
}
