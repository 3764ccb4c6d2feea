package dev.sluice.budget;

import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The current period of one window of one node. Rolls forward to a fresh period when time passes
 * the current period's end; never rolls backwards: if the clock steps back, bytes keep counting in
 * the latest period, which can only over-count (fail closed), never forget. Thread-safe, lock-free;
 * allocates only when a period rolls over.
 */
final class WindowCounter {

  private final Window window;
  private final WindowCalendar calendar;
  private final AtomicReference<PeriodCounter> current;

  WindowCounter(Window window, WindowCalendar calendar, long now) {
    this.window = window;
    this.calendar = calendar;
    this.current = new AtomicReference<>(fresh(now, 0, 0));
  }

  Window window() {
    return window;
  }

  /** The period containing {@code now}, or the latest period if {@code now} is before it. */
  PeriodCounter at(long now) {
    for (; ; ) {
      PeriodCounter p = current.get();
      if (now < p.end) {
        return p;
      }
      PeriodCounter next = fresh(now, 0, 0);
      if (current.compareAndSet(p, next)) {
        return next;
      }
    }
  }

  /** Replaces the current period's values, for rebuilding state from a snapshot or a ledger. */
  void restore(long now, long spent, long sent) {
    current.set(fresh(now, spent, sent));
  }

  private PeriodCounter fresh(long now, long spent, long sent) {
    return new PeriodCounter(
        calendar.periodStart(window, now), calendar.periodEnd(window, now), spent, sent);
  }
}
