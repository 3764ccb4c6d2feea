package dev.sluice.it;

import dev.sluice.demo.Pacer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pacer driven by the test: the stream asks for each next event and waits until the test has seen
 * the previous one arrive and releases it. If the server held events back (no flush, a buffering
 * proxy), the test would wait for an event that cannot come and time out.
 */
final class LockstepPacer implements Pacer {
  private final BlockingQueue<Runnable> asked = new LinkedBlockingQueue<>();
  private final AtomicInteger released = new AtomicInteger();

  @Override
  public void pace(int index, ScheduledExecutorService loop, Runnable produce) {
    asked.add(produce);
  }

  /**
   * Waits until the stream asks for its next event, then lets it be produced.
   *
   * @return false if the stream did not ask within {@code timeout}
   */
  boolean releaseNext(Duration timeout) throws InterruptedException {
    Runnable produce = asked.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (produce == null) {
      return false;
    }
    released.incrementAndGet();
    produce.run();
    return true;
  }

  /** Events after the first that have been allowed so far. */
  int released() {
    return released.get();
  }

  /** Whether the stream is waiting for a release now. */
  boolean waiting() {
    return !asked.isEmpty();
  }
}
