package dev.sluice.cluster;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Runs compare-and-swap operations on etcd: an operation plans from a {@link Snapshot}; its write
 * commits only if every key it read is unchanged; on a conflict the transaction's else-branch has
 * already read the keys again, so the next attempt plans from fresh values without another round
 * trip. At most {@link #MAX_ATTEMPTS} attempts; losers back off with exponential jitter. Every
 * decision runs on {@code executor} (the store thread); committed writes go into the cache at once.
 */
final class CasLoop {

  /** Attempts of one operation before it gives up on contention. */
  static final int MAX_ATTEMPTS = 16;

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

    /** {@link #MAX_ATTEMPTS} attempts met changed keys (may throw to fail the operation). */
    T contended();
  }

  private final EtcdIo io;
  private final KeyCache cache;
  private final Executor executor;
  private final AtomicLong conflicts = new AtomicLong();

  CasLoop(EtcdIo io, KeyCache cache, Executor executor) {
    this.io = io;
    this.cache = cache;
    this.executor = executor;
  }

  /** Attempts that found a key changed and were retried. */
  long conflicts() {
    return conflicts.get();
  }

  /** Runs {@code op}, its first attempt planned from the cache. */
  <T> CompletableFuture<T> run(Op<T> op) {
    return attempt(op, Snapshot.cached(cache), 1);
  }

  private <T> CompletableFuture<T> attempt(Op<T> op, Snapshot snap, int n) {
    Plan<T> plan;
    try {
      plan = op.plan(snap);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (plan instanceof Plan.Done<T> d) {
      return CompletableFuture.completedFuture(d.value());
    }
    if (n > MAX_ATTEMPTS) {
      return supply(op::contended);
    }
    if (plan instanceof Plan.Refresh<T> r) {
      return io.read(r.keys())
          .thenComposeAsync(
              out -> {
                out.read().forEach(cache::apply);
                return attempt(op, Snapshot.fresh(out.read(), cache), n + 1);
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
              if (n == 1) {
                return attempt(op, fresh, n + 1);
              }
              // Exponential jitter (up to 4, 8, 16, then 32 ms): losers step back so that one
              // contender at a time gets through instead of all colliding again.
              long delay = ThreadLocalRandom.current().nextLong(1, 2L + (1L << Math.min(n, 5)));
              return CompletableFuture.runAsync(
                      () -> {},
                      CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS, executor))
                  .thenCompose(x -> attempt(op, fresh, n + 1));
            },
            executor)
        .thenCompose(f -> f);
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
