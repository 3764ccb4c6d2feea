package dev.sluice.demo;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;

/** A pacer that produces nothing until the test releases the next event. Thread-safe. */
final class HeldPacer implements Pacer {
  private final BlockingQueue<Runnable> held = new LinkedBlockingQueue<>();

  @Override
  public void pace(int index, ScheduledExecutorService loop, Runnable produce) {
    held.add(produce);
  }

  /** Lets the next held event be produced; false if none is waiting. */
  boolean release() {
    Runnable r = held.poll();
    if (r == null) {
      return false;
    }
    r.run();
    return true;
  }

  int waiting() {
    return held.size();
  }
}
