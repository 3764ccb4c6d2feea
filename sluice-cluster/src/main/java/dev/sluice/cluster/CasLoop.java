package dev.sluice.cluster;

import dev.sluice.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Runs compare-and-swap operations on etcd: an operation plans from a {@link Snapshot}; its write
 * commits only if every key it read is unchanged; on a conflict the transaction's else-branch has
 * already read the keys again, so the next attempt plans from fresh values without another round
 * trip.
 *
 * <p>Contention is bounded by time, not by a count: an operation keeps trying (at least {@link
 * #MIN_ATTEMPTS} attempts) until the operation timeout has passed since it began, and only then
 * gives up ({@link Op#contended}). Losers back off by a random delay scheduled on the store thread
 * (nobody sleeps), drawn from a window that first widens (to spread the contenders out) and then
 * narrows again for an operation that keeps losing, so that it is not starved by ever longer waits
 * while fresh contenders retry sooner ({@link #backoffMicros}). Every decision runs on the store
 * thread; committed writes go into the cache at once.
 */
final class CasLoop {

  /** An operation gives up on contention only after this many attempts, and the timeout. */
  static final int MIN_ATTEMPTS = 16;

  /**
   * Never more attempts than this, whatever the clock says (a stopped test clock, a stuck one): far
   * more than the timeout allows at any real round-trip time.
   */
  static final int MAX_ATTEMPTS = 10_000;

  /** What an attempt decided. */
  sealed interface Plan<T> {
    /** Finished without writing. */
    record Done<T>(T value) implements Plan<T> {}

    /** Needs fresh values of {@code keys} first (the cached ones may be stale). */
    record Refresh<T>(List<String> keys) implements Plan<T> {}

    /** Write if {@code basis} is unchanged; else read {@code reread} and plan again. */
    record Write<T>(
        Map<String, Versioned> basis,
        Map<String, byte[]> puts,
        List<String> deletes,
        List<String> reread,
        LongFunction<CompletableFuture<T>> onCommit)
        implements Plan<T> {}
  }

  /** One compare-and-swap operation. */
  interface Op<T> {
    /** Decides from {@code snap}; runs on the store thread; may throw for malformed values. */
    Plan<T> plan(Snapshot snap);

    /** A write was sent and its answer lost: it may or may not have committed. */
    CompletableFuture<T> unknown(Throwable e);

    /**
     * Keys kept changing under every attempt until the operation timeout passed ({@code attempts}
     * attempts); may throw to fail the operation.
     */
    T contended(int attempts);
  }

  private final EtcdIo io;
  private final KeyCache cache;
  private final ScheduledExecutorService executor;
  private final Clock clock;
  private final long timeoutNanos;
  private final AtomicLong conflicts = new AtomicLong();

  /**
   * @param executor the store thread: every decision runs on it, and back-off delays are scheduled
   *     on it
   * @param timeout how long an operation keeps trying under contention (the operation timeout)
   */
  CasLoop(
      EtcdIo io, KeyCache cache, ScheduledExecutorService executor, Clock clock, Duration timeout) {
    this.io = io;
    this.cache = cache;
    this.executor = executor;
    this.clock = clock;
    this.timeoutNanos = timeout.toNanos();
  }

  /** Attempts that found a key changed and were retried. */
  long conflicts() {
    return conflicts.get();
  }

  /** One operation's attempts so far. */
  private final class Run {
    final long startNanos = clock.nanos();
    int attempts;

    /** Back-off delays waited so far: time that has surely passed, whatever the clock says. */
    long backedOffNanos;

    boolean givesUp() {
      if (attempts >= MAX_ATTEMPTS) {
        return true;
      }
      return attempts >= MIN_ATTEMPTS
          && (clock.nanos() - startNanos >= timeoutNanos || backedOffNanos >= timeoutNanos);
    }
  }

  /** Runs {@code op}, its first attempt planned from the cache. */
  <T> CompletableFuture<T> run(Op<T> op) {
    return attempt(op, Snapshot.cached(cache), new Run());
  }

  private <T> CompletableFuture<T> attempt(Op<T> op, Snapshot snap, Run run) {
    Plan<T> plan;
    try {
      plan = op.plan(snap);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (plan instanceof Plan.Done<T> d) {
      return CompletableFuture.completedFuture(d.value());
    }
    if (run.givesUp()) {
      return supply(() -> op.contended(run.attempts));
    }
    run.attempts++;
    if (plan instanceof Plan.Refresh<T> r) {
      return io.read(r.keys())
          .thenComposeAsync(
              out -> {
                out.read().forEach(cache::apply);
                return attempt(op, Snapshot.fresh(out.read(), cache), run);
              },
              executor);
    }
    Plan.Write<T> w = (Plan.Write<T>) plan;
    return io.txn(w.basis(), w.puts(), w.deletes(), w.reread())
        .handleAsync(
            (out, e) -> {
              if (e != null) {
                return op.unknown(e);
              }
              if (out.succeeded()) {
                applyWrites(w.basis(), w.puts(), w.deletes(), out.revision());
                return w.onCommit().apply(out.revision());
              }
              conflicts.incrementAndGet();
              out.read().forEach(cache::apply);
              Snapshot fresh = Snapshot.fresh(out.read(), cache);
              long delay = backoffMicros(run.attempts);
              if (delay == 0) {
                return attempt(op, fresh, run);
              }
              run.backedOffNanos += delay * 1_000;
              return later(delay).thenCompose(x -> attempt(op, fresh, run));
            },
            executor)
        .thenCompose(f -> f);
  }

  /**
   * The random delay (µs) after the {@code n}th attempt lost: none after the first (its else-branch
   * read fresh values, so the second attempt is likely to win if few contend); then up to 2, 4, 8,
   * 16 and 32 ms, to spread contenders out; from the eighth loss on the window narrows to 8 ms, so
   * an operation that keeps losing retries before the fresh contenders that are still backing off
   * widely, and gets its turn.
   */
  static long backoffMicros(int n) {
    if (n <= 1) {
      return 0;
    }
    long windowMicros = n < 8 ? 1_000L << Math.min(n - 1, 5) : 8_000;
    return ThreadLocalRandom.current().nextLong(200, 200 + windowMicros);
  }

  private CompletableFuture<Void> later(long micros) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    try {
      executor.schedule(() -> f.complete(null), micros, TimeUnit.MICROSECONDS);
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(e); // the store closed
    }
    return f;
  }

  private static <T> CompletableFuture<T> supply(Supplier<T> s) {
    try {
      return CompletableFuture.completedFuture(s.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Puts committed writes into the cache at the transaction's revision. */
  void applyWrites(
      Map<String, Versioned> basis,
      Map<String, byte[]> puts,
      Collection<String> deletes,
      long revision) {
    puts.forEach(
        (k, v) -> {
          Versioned b = basis.getOrDefault(k, Versioned.ABSENT);
          cache.apply(k, new Versioned(v, revision, b.version() + 1));
        });
    for (String k : deletes) {
      cache.apply(k, Versioned.deleted(revision));
    }
  }
}
