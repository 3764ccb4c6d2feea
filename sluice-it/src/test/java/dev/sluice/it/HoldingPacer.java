package dev.sluice.it;

import dev.sluice.demo.Pacer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A pacer for many streams at once, driven by the test: every stream that has written its last
 * event waits here until {@link #releaseAll} lets each waiting stream produce one more. So the test
 * knows exactly which events were produced when, e.g. before or after a halt.
 */
final class HoldingPacer implements Pacer {
  private final List<Runnable> waiting = new ArrayList<>();
  private final Semaphore asked = new Semaphore(0);

  @Override
  public void pace(int index, ScheduledExecutorService loop, Runnable produce) {
    synchronized (waiting) {
      waiting.add(produce);
    }
    asked.release();
  }

  /**
   * Waits until {@code n} more streams have asked for their next event since the last call.
   *
   * @return false if they did not within {@code timeout}
   */
  boolean awaitAsked(int n, Duration timeout) throws InterruptedException {
    return asked.tryAcquire(n, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Lets every waiting stream produce its next event; returns how many were waiting. */
  int releaseAll() {
    List<Runnable> now;
    synchronized (waiting) {
      now = new ArrayList<>(waiting);
      waiting.clear();
    }
    now.forEach(Runnable::run);
    return now.size();
  }
}
