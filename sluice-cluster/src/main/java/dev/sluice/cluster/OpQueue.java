package dev.sluice.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs asynchronous operations one after another: an operation starts (on {@code executor}) when
 * the previous one's future has completed, whatever its outcome. The store puts every operation on
 * its own etcd keys through one queue, so that grant ids follow each other and an operation whose
 * outcome is unknown is resolved before the next one starts. No thread waits while an operation's
 * etcd call is in flight. Thread-safe.
 */
final class OpQueue {

  private final Executor executor;
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

  OpQueue(Executor executor) {
    this.executor = executor;
  }

  /** Queues {@code op}; the returned future completes with the future {@code op} returns. */
  synchronized <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> op) {
    CompletableFuture<T> result = tail.thenComposeAsync(v -> start(op), executor);
    tail = result.handle((v, e) -> null);
    return result;
  }

  private static <T> CompletableFuture<T> start(Supplier<CompletableFuture<T>> op) {
    try {
      return op.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
