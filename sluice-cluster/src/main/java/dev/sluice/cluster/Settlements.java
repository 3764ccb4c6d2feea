package dev.sluice.cluster;

import dev.sluice.store.Settlement;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles this node's escrow sets: each settlement is one compare-and-swap transaction ({@link
 * SettleTxn}) on this node's queue, after any uncertain grant is resolved ({@link
 * UncertainGrants}), and then a {@code settle} entry in this node's ledger.
 *
 * <p>Crash guarantee: a settlement that cannot reach etcd, or that could not be ledgered (the
 * ledger is not writable: a full disk), is kept and retried (by the {@link BackgroundTick}, every
 * second) until it lands or the store closes; meanwhile its bytes stay spent. One that landed in
 * etcd whose entry the ledger then refused is kept by the {@link NodeJournal} until written. Its
 * caller learns from the first try whether it is durable yet; while etcd is known to be unreachable
 * the first try fails at once. Settlements still pending at close stay counted as spent, and their
 * sets are found stranded at the next start ({@link StartRecovery}).
 */
final class Settlements {

  // Logs as the store: operators find its lines under one name.
  private static final Logger log = LoggerFactory.getLogger(EtcdBudgetStore.class);

  /** A settlement until it is durable in etcd. */
  static final class Pending {
    final Settlement s;

    /** Completes when the first attempt lands, or exceptionally when it fails (retries go on). */
    final CompletableFuture<Void> firstTry = new CompletableFuture<>();

    // Store thread only. Whether an attempt planned a write (it may have landed), and its plan:
    boolean sent;
    boolean inFlight;
    boolean finished;
    long granted;
    long sentBytes;
    long returned;
    SetRecord record;

    Pending(Settlement s) {
      this.s = s;
    }
  }

  private final NodeContext ctx;
  private final UncertainGrants uncertain;
  private final BooleanSupplier closed;

  /** Settlements not yet durable (added by any thread, attempted on the store thread). */
  private final List<Pending> pending = new CopyOnWriteArrayList<>();

  /**
   * @param closed whether the store is closed
   */
  Settlements(NodeContext ctx, UncertainGrants uncertain, BooleanSupplier closed) {
    this.ctx = ctx;
    this.uncertain = uncertain;
    this.closed = closed;
  }

  /** Settlements kept for a retry. */
  int pendingCount() {
    return pending.size();
  }

  /** Queues {@code settlement}; the future is its first try's outcome. Never waits. */
  CompletableFuture<Void> settle(Settlement settlement) {
    if (closed.getAsBoolean()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              ctx.name() + " is closed; the set's escrow stays counted as spent"));
    }
    Pending p = new Pending(settlement);
    if (!ctx.reachability().reachable()) {
      // Kept for the background retries; its caller learns at once that it is not durable yet.
      pending.add(p);
      p.firstTry.completeExceptionally(notDurableYet(p, ctx.reachability().describe()));
      return p.firstTry;
    }
    ctx.queue()
        .submit(
            () -> {
              pending.add(p);
              return attempt(p);
            })
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                p.firstTry.completeExceptionally(e); // e.g. the store closed meanwhile
              }
            });
    return p.firstTry;
  }

  /** Settles back a set nobody holds (a grant found committed after its answer was lost). */
  void settleBack(Settlement s) {
    Pending p = new Pending(s);
    pending.add(p);
    ctx.queue().submit(() -> attempt(p));
  }

  /**
   * Retries every pending settlement, one after another, once {@code first} has completed; on the
   * store thread. The settlements are those pending when this is called.
   */
  CompletableFuture<Void> retryAfter(CompletableFuture<Void> first) {
    CompletableFuture<Void> work = first;
    for (Pending p : List.copyOf(pending)) {
      work =
          work.thenComposeAsync(
              v -> p.inFlight ? CompletableFuture.completedFuture(null) : attempt(p),
              ctx.executor());
    }
    return work;
  }

  private CompletableFuture<Void> attempt(Pending p) {
    if (p.inFlight || p.finished) {
      return CompletableFuture.completedFuture(null);
    }
    if (!p.sent && !ctx.escrow().isOpen(p.s.setId())) {
      done(p); // not open here (settled already, or never granted): nothing to credit
      p.firstTry.complete(null);
      return CompletableFuture.completedFuture(null);
    }
    if (!ctx.reachability().reachable()) {
      p.firstTry.completeExceptionally(notDurableYet(p, ctx.reachability().describe()));
      return CompletableFuture.completedFuture(null);
    }
    if (!ctx.journal().writable()) {
      // Settled in etcd now, its entry could only wait in memory and be lost at a stop; kept
      // instead, its set is settled once the ledger is back, or found stranded at the next start.
      p.firstTry.completeExceptionally(notDurableYet(p, "the ledger is not writable"));
      return CompletableFuture.completedFuture(null);
    }
    p.inFlight = true;
    return uncertain
        .resolve()
        .thenComposeAsync(
            ok -> {
              if (!ok) {
                throw new CompletionException(
                    new IOException("etcd unreachable (an earlier grant is still uncertain)"));
              }
              return ctx.casLoop().run(new SettleTxn(ctx.keys(), ctx.nodeId(), p));
            },
            ctx.executor())
        .handleAsync((landed, e) -> attempted(p, landed, e), ctx.executor())
        .thenCompose(f -> f);
  }

  /** After an attempt: keep it for a retry, or end it and ledger what landed. */
  private CompletableFuture<Void> attempted(Pending p, Boolean landed, Throwable e) {
    p.inFlight = false;
    if (e != null) {
      log.info(
          "{}: settlement of set {} not durable yet, retried in the background: {}",
          ctx.name(),
          p.s.setId(),
          EtcdIo.rootMessage(e));
      p.firstTry.completeExceptionally(notDurableYet(p, EtcdIo.rootMessage(e)));
      return CompletableFuture.completedFuture(null);
    }
    ctx.escrow().forget(p.s.setId());
    done(p);
    if (!landed) {
      p.firstTry.complete(null);
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Long> entry =
        ctx.journal()
            .settle(p.s.setId(), p.record, p.granted, p.sentBytes, p.returned, p.s.reason());
    return entry.handle(
        (i, le) -> {
          if (le == null) {
            p.firstTry.complete(null);
          } else {
            p.firstTry.completeExceptionally(le);
          }
          return (Void) null;
        });
  }

  /** The settlement needs no more attempts (its caller's future is completed separately). */
  private void done(Pending p) {
    p.finished = true;
    pending.remove(p);
  }

  private IOException notDurableYet(Pending p, String why) {
    return new IOException(
        ctx.name()
            + ": settlement of set "
            + p.s.setId()
            + " not durable yet (retried in the background): "
            + why);
  }
}
