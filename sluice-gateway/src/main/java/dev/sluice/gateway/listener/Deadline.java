package dev.sluice.gateway.listener;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One timer of a connection, on its event loop (Netty's scheduler, as the admin server's {@code
 * AdminTimeouts}): timeouts protect a socket and decide no byte's fate, so they use the event
 * loop's time rather than the injected clock; tests drive it with {@code
 * EmbeddedChannel.advanceTimeBy} or use short configured durations. Arming it again replaces the
 * pending expiry. Event-loop only.
 */
public final class Deadline {

  private final EventExecutor executor;
  private ScheduledFuture<?> pending;

  public Deadline(EventExecutor executor) {
    this.executor = executor;
  }

  /** Runs {@code expired} after {@code after}, unless cancelled or re-armed first. */
  public void arm(Duration after, Runnable expired) {
    cancel();
    pending =
        executor.schedule(
            () -> {
              pending = null;
              expired.run();
            },
            after.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  public void cancel() {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
  }

  public boolean armed() {
    return pending != null;
  }
}
