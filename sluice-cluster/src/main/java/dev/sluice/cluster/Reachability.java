package dev.sluice.cluster;

import dev.sluice.time.Clock;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether etcd answers this node. Every call of {@link EtcdIo} reports its outcome here: a call
 * that failed for unreachability (no answer within the operation deadline, gRPC {@code UNAVAILABLE}
 * or {@code DEADLINE_EXCEEDED}, connection refused) marks etcd <em>unreachable</em>; any answer at
 * all (a conflict too) marks it reachable again.
 *
 * <p>While etcd is unreachable the store answers grants {@code Unavailable} at once instead of
 * letting each one wait its own operation timeout, and one probe (a cheap linearizable read) runs
 * at most once per operation timeout: when etcd answers it, the state clears and the store works as
 * before, with no restart. The probe is scheduled on the store's executor; nothing sleeps.
 * Thread-safe.
 */
final class Reachability {

  private static final Logger log = LoggerFactory.getLogger(Reachability.class);

  /** Since when (epoch ms, the store's clock) etcd has been unreachable, and the first failure. */
  record Down(long sinceMillis, String cause) {}

  private final String name;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final long periodNanos;
  private volatile Supplier<CompletableFuture<?>> probe;
  private volatile Down down;
  private volatile boolean closed;

  // Guarded by this:
  private boolean probing;

  /**
   * @param period at most one probe per period (the operation timeout)
   */
  Reachability(String name, Clock clock, ScheduledExecutorService scheduler, Duration period) {
    this.name = name;
    this.clock = clock;
    this.scheduler = scheduler;
    this.periodNanos = period.toNanos();
  }

  /** The read that probes etcd while it is unreachable; its outcome is reported like any call. */
  void probeWith(Supplier<CompletableFuture<?>> p) {
    this.probe = p;
  }

  /** Whether the last etcd calls were answered (true until one fails for unreachability). */
  boolean reachable() {
    return down == null;
  }

  /** The current outage, or null. */
  Down down() {
    return down;
  }

  /** E.g. {@code etcd unreachable since 2026-11-22T12:00:31Z (no answer within ...)}. */
  String describe() {
    Down d = down;
    if (d == null) {
      return "etcd reachable";
    }
    return "etcd unreachable since "
        + Instant.ofEpochMilli(d.sinceMillis())
        + " ("
        + d.cause()
        + ")";
  }

  /** An etcd call was answered. */
  void answered() {
    Down d = down;
    if (d != null) {
      synchronized (this) {
        if (down == null) {
          return;
        }
        down = null;
      }
      log.info(
          "{}: etcd answers again (unreachable since {})",
          name,
          Instant.ofEpochMilli(d.sinceMillis()));
    }
  }

  /** An etcd call failed; marks etcd unreachable if {@code t} says it could not be reached. */
  void failed(Throwable t) {
    if (down != null || closed || !unreachability(t)) {
      return;
    }
    Down d;
    synchronized (this) {
      if (down != null) {
        return;
      }
      d = new Down(clock.millis(), EtcdIo.rootMessage(t));
      down = d;
    }
    log.warn(
        "{}: {}; grants are refused at once until a probe (at most one per {} ms) finds it back",
        name,
        describe(),
        periodNanos / 1_000_000);
    startProbing();
  }

  /** Stops probing. */
  void close() {
    closed = true;
  }

  private void startProbing() {
    synchronized (this) {
      if (probing) {
        return;
      }
      probing = true;
    }
    round();
  }

  /**
   * One probe, then the next one a period after this one started if etcd is still unreachable (and
   * the probe has answered or timed out by then).
   */
  private void round() {
    Supplier<CompletableFuture<?>> p = probe;
    if (closed || down == null || p == null) {
      synchronized (this) {
        probing = false;
      }
      // Marked again between the check and the reset: probe for that outage too.
      if (!closed && down != null && p != null) {
        startProbing();
      }
      return;
    }
    CompletableFuture<?> answer;
    try {
      answer = p.get();
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    // The period counts from the probe's start, so probes are never closer than a period.
    CompletableFuture<Void> periodOver = new CompletableFuture<>();
    try {
      scheduler.schedule(() -> periodOver.complete(null), periodNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return; // the store closed
    }
    CompletableFuture.allOf(answer.handle((v, e) -> null), periodOver)
        .whenComplete((v, e) -> round());
  }

  /**
   * Whether {@code t} (or a cause) says etcd did not answer, rather than answered with an error.
   */
  static boolean unreachability(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof TimeoutException || c instanceof ConnectException) {
        return true;
      }
      Status.Code code = null;
      if (c instanceof StatusRuntimeException s) {
        code = s.getStatus().getCode();
      } else if (c instanceof StatusException s) {
        code = s.getStatus().getCode();
      } else if (c instanceof EtcdException e) {
        switch (e.getErrorCode()) {
          case UNAVAILABLE, DEADLINE_EXCEEDED -> {
            return true;
          }
          default -> {}
        }
      }
      if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
        return true;
      }
    }
    return false;
  }
}
