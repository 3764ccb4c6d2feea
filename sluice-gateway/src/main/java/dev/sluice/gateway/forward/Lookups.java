package dev.sluice.gateway.forward;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a {@link HostResolver} off the event loops, on a few daemon threads of one forward listener.
 * The queue is bounded: when lookups pile up (a slow DNS server), new ones fail at once and the
 * client is told the name did not resolve, instead of waiting in an unbounded line. Idle threads
 * end after a while, so the executor needs no shutdown and leaves nothing behind when the gateway
 * closes. Thread-safe.
 */
final class Lookups {

  static final int THREADS = 4;
  static final int QUEUE = 256;

  private static final AtomicInteger IDS = new AtomicInteger();

  private final HostResolver resolver;
  private final ThreadPoolExecutor executor;

  Lookups(HostResolver resolver, String listener) {
    this.resolver = resolver;
    this.executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "sluice-lookup-" + listener + "-" + IDS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    executor.allowCoreThreadTimeOut(true);
  }

  /**
   * The addresses of {@code host}; fails with {@link UnknownHostException} when the name does not
   * resolve, resolves to nothing, or the lookup queue is full. Completes on a lookup thread.
   */
  CompletableFuture<List<InetAddress>> lookup(String host) {
    CompletableFuture<List<InetAddress>> f = new CompletableFuture<>();
    try {
      executor.execute(
          () -> {
            try {
              List<InetAddress> a = resolver.resolve(host);
              if (a == null || a.isEmpty()) {
                f.completeExceptionally(new UnknownHostException(host + ": no addresses"));
              } else {
                f.complete(List.copyOf(a));
              }
            } catch (Exception e) {
              f.completeExceptionally(e);
            } catch (Error e) {
              f.completeExceptionally(e);
              throw e;
            }
          });
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(new Busy(host));
    }
    return f;
  }

  /**
   * True when {@code error} says the lookup was refused before it was sent (the queue was full).
   */
  static boolean notSent(Throwable error) {
    Throwable c = error;
    while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
      c = c.getCause();
    }
    return c instanceof Busy;
  }

  /** The queue was full: the lookup was never handed to the resolver. */
  private static final class Busy extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    Busy(String host) {
      super(host + ": too many lookups in progress");
    }
  }
}
