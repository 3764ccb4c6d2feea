package dev.sluice.cluster;

import dev.sluice.budget.BudgetPath;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.GrantObserver;
import dev.sluice.store.GrantRequest;
import dev.sluice.store.GrantResult;
import dev.sluice.store.OpenSet;
import dev.sluice.time.Clock;
import dev.sluice.time.Window;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Takes grant requests: each goes through this node's queue, after any uncertain grant is resolved
 * ({@link UncertainGrants}), and is then one compare-and-swap transaction ({@link GrantTxn}); every
 * outcome is reported to the {@link GrantObserver}.
 *
 * <p>Fail closed: a grant completes {@code Unavailable}, and never guesses, when the store is
 * closed, the ledger is not writable, an earlier grant's outcome is still unknown, or etcd is known
 * to be unreachable (at once, rather than after every queued operation's timeout) or did not answer
 * earlier operations within the operation timeout. The holder then spends its unexpired escrow and
 * denies.
 */
final class Grants {

  private final NodeContext ctx;
  private final UncertainGrants uncertain;
  private final ChunkPolicy policy;
  private final GrantObserver observer;
  private final Clock clock;
  private final long grantTtlMillis;
  private final long opTimeoutNanos;
  private final BooleanSupplier closed;
  private final AtomicLong issued = new AtomicLong();

  /**
   * @param clock measures latency and queueing time; the store's time comes from {@code ctx}
   * @param closed whether the store is closed
   */
  Grants(
      NodeContext ctx,
      UncertainGrants uncertain,
      ChunkPolicy policy,
      GrantObserver observer,
      Clock clock,
      EtcdStoreOptions options,
      BooleanSupplier closed) {
    this.ctx = ctx;
    this.uncertain = uncertain;
    this.policy = policy;
    this.observer = observer;
    this.clock = clock;
    this.grantTtlMillis = options.grantTtl().toMillis();
    this.opTimeoutNanos = options.operationTimeout().toNanos();
    this.closed = closed;
  }

  /** Grants committed by this run. */
  long issued() {
    return issued.get();
  }

  /** Queues {@code request}; never waits. */
  CompletableFuture<GrantResult> grant(GrantRequest request) {
    long started = clock.nanos();
    if (closed.getAsBoolean()) {
      observer.onGrant(0, GrantObserver.UNAVAILABLE, 0);
      return unavailable("store is closed");
    }
    if (!ctx.reachability().reachable()) {
      // Known unreachable: answer now rather than after every queued operation's timeout.
      observer.onGrant(clock.nanos() - started, GrantObserver.UNAVAILABLE, 0);
      return unavailable(ctx.reachability().describe());
    }
    return ctx.queue()
        .submit(() -> grantOp(request, started))
        .handle((r, e) -> r != null ? r : ctx.unavailable("grant failed: " + EtcdIo.rootMessage(e)))
        .whenComplete(
            (r, e) -> {
              long amount = r instanceof GrantResult.Granted g ? g.amount() : 0;
              observer.onGrant(clock.nanos() - started, GrantObserver.outcome(r), amount);
            });
  }

  /** The grant's turn in the queue has come: check again, resolve, then grant. */
  private CompletableFuture<GrantResult> grantOp(GrantRequest r, long started) {
    if (closed.getAsBoolean()) {
      return unavailable("store is closed");
    }
    if (!ctx.reachability().reachable()) {
      return unavailable(ctx.reachability().describe());
    }
    if (!ctx.journal().writable()) {
      return unavailable("ledger is not writable");
    }
    if (clock.nanos() - started > opTimeoutNanos) {
      return unavailable("etcd did not answer earlier operations within the operation timeout");
    }
    return uncertain
        .resolve()
        .thenComposeAsync(
            resolved ->
                resolved
                    ? grantNow(r)
                    : unavailable("an earlier grant's outcome is still unknown; etcd unreachable"),
            ctx.executor());
  }

  private CompletableFuture<GrantResult> grantNow(GrantRequest r) {
    long now = ctx.time().now();
    BudgetPath path = r.path();
    OpenSet set = null;
    if (r.setId() != 0) {
      set = ctx.escrow().get(r.setId());
      if (set == null) {
        return unavailable("escrow set " + r.setId() + " is not open on node " + ctx.nodeId());
      }
      if (!set.nodes().equals(path.nodeIds())) {
        return unavailable("escrow set " + r.setId() + " is not on path " + path);
      }
    }
    long setTime = set == null ? now : set.setTime();
    long dayEnd = ctx.calendar().periodEnd(Window.DAY, setTime);
    if (now >= dayEnd) {
      return unavailable("escrow set " + r.setId() + " ended with its day; settle it first");
    }
    GrantTxn txn =
        new GrantTxn(ctx, policy, grantTtlMillis, uncertain, issued, r, set, now, setTime, dayEnd);
    return ctx.casLoop().run(txn);
  }

  private CompletableFuture<GrantResult> unavailable(String reason) {
    return CompletableFuture.completedFuture(ctx.unavailable(reason));
  }
}
