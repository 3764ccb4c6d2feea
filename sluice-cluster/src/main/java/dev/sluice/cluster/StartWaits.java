package dev.sluice.cluster;

import dev.sluice.time.Clock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waiting for etcd while the store opens: the caller of {@code open} blocks (control plane), the
 * store thread does the work. Every wait is bounded; one that fails throws an {@link IOException}
 * naming the endpoints, the prefix and what could not be done.
 */
final class StartWaits {

  // Logs as the store: operators find its lines under one name.
  private static final Logger log = LoggerFactory.getLogger(EtcdBudgetStore.class);

  /** How long the first etcd call at start may take, whatever the operation timeout. */
  static final long START_TIMEOUT_MILLIS = 10_000;

  private static final long RETRY_PAUSE_NANOS = 50_000_000L;

  private final String name;
  private final EtcdStoreOptions options;

  StartWaits(String name, EtcdStoreOptions options) {
    this.name = name;
    this.options = options;
  }

  /**
   * The first listing of the site's keys. It is also the client's first call, which connects and,
   * in a fresh JVM, loads and warms up gRPC: on a small machine that takes a few seconds, longer
   * than a short operation timeout (later calls take milliseconds). So it is retried with the
   * operation timeout until {@link #START_TIMEOUT_MILLIS} (or twice the operation timeout, if
   * longer) has passed; an etcd that has not answered by then still stops the start.
   */
  EtcdIo.Listing firstListing(EtcdIo io, EtcdKeys keys) throws IOException {
    // Real time, whatever clock the store was given: this bounds waiting on a socket.
    Clock real = Clock.system();
    long opTimeoutNanos = options.operationTimeout().toNanos();
    long deadline =
        real.nanos()
            + Math.max(TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS), 2 * opTimeoutNanos);
    while (true) {
      try {
        return await(io.list(keys.root()), "list " + keys.root());
      } catch (IOException e) {
        if (real.nanos() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
          throw e;
        }
        log.debug("{}: first listing not answered yet, trying again: {}", name, e.getMessage());
        LockSupport.parkNanos(RETRY_PAUSE_NANOS); // if it failed at once
      }
    }
  }

  /** Waits for {@code f} up to twice the operation timeout; {@code what} names it in the error. */
  <T> T await(CompletableFuture<T> f, String what) throws IOException {
    return awaitFor(f, options.operationTimeout().multipliedBy(2), what);
  }

  /** Waits for {@code f} up to {@code d}; {@code what} names it in the error. */
  <T> T awaitFor(CompletableFuture<T> f, Duration d, String what) throws IOException {
    try {
      return f.get(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(name + ": interrupted during " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(
          "etcd store at "
              + options.endpoints()
              + " (prefix "
              + options.prefix()
              + "): cannot "
              + what
              + ": "
              + EtcdIo.rootMessage(e),
          e);
    }
  }
}
