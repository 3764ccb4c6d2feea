package dev.sluice.gateway.edge;

import dev.sluice.time.Clock;

/**
 * When the link builds its next frame: the flush window. A frame is built when the oldest unsent
 * byte of any stream has waited the window, when the streams hold more than a bulk size, and at
 * once for the first bytes of a response: a stream that had nothing pending and either sent nothing
 * for a window or received request bytes since it last sent goes at once (with whatever else is
 * pending). So the events of many streams share a frame, and a response's time to first byte is not
 * delayed, also on a keep-alive connection whose client asks again as soon as an answer ends. A
 * window of 0 builds a frame at every flush. Time is read from the injected {@link Clock} and
 * timers are set with an injected {@link Scheduler}. Used on the link's event loop.
 */
final class FlushTimer {

  /** Runs a task after a delay; {@link #schedule} returns a handle to cancel it. */
  interface Scheduler {
    Runnable schedule(Runnable task, long delayNanos);
  }

  private final long window;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Runnable build;
  private long due = Long.MAX_VALUE;
  private Runnable cancel;

  /**
   * @param windowNanos the flush window (0: build at every flush)
   * @param build what builds and sends a frame
   */
  FlushTimer(long windowNanos, Clock clock, Scheduler scheduler, Runnable build) {
    this.window = windowNanos;
    this.clock = clock;
    this.scheduler = scheduler;
    this.build = build;
  }

  long window() {
    return window;
  }

  /**
   * A stream flushed bytes. {@code oldestPending} is when its oldest unsent byte arrived, {@code
   * lastSent} when a frame last carried it and {@code lastReceived} when its client's bytes last
   * arrived ({@link MuxStream#NEVER}: never); {@code wasEmpty} whether nothing of it was pending
   * before; {@code bulk} whether the link holds a bulk size.
   *
   * @return true if a frame must be built now
   */
  boolean flushed(
      long oldestPending, long lastSent, long lastReceived, boolean wasEmpty, boolean bulk) {
    long now = clock.nanos();
    if (window == 0 || bulk) {
      return true;
    }
    boolean answering =
        lastSent == MuxStream.NEVER
            || now - lastSent >= window
            || lastReceived != MuxStream.NEVER && lastReceived - lastSent > 0;
    if (wasEmpty && answering) {
      return true; // the first bytes of a response never wait
    }
    at(oldestPending + window);
    return false;
  }

  /** Something that can be sent is pending since {@code oldest} (nanos): build by then + window. */
  void pendingSince(long oldest) {
    at(oldest + window);
  }

  /** A frame was built: the timer is free again. */
  void built() {
    if (cancel != null) {
      cancel.run();
      cancel = null;
    }
    due = Long.MAX_VALUE;
  }

  private void at(long when) {
    long now = clock.nanos();
    if (when - due >= 0 && cancel != null) {
      return; // an earlier timer is set
    }
    if (cancel != null) {
      cancel.run();
    }
    due = when;
    cancel =
        scheduler.schedule(
            () -> {
              cancel = null;
              due = Long.MAX_VALUE;
              build.run();
            },
            Math.max(0, when - now));
  }
}
