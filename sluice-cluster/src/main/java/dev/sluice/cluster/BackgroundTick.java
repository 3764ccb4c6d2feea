package dev.sluice.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The store's background work, every second: appends the ledger entries the ledger refused while it
 * was not writable, resolves an uncertain grant, retries pending settlements, re-lists the keys
 * after a broken watch and renews the liveness lease. This is how the store recovers by itself:
 * nothing needs a restart when etcd comes back.
 *
 * <p>Nothing is done while etcd is known to be unreachable: each attempt would only hold the queue
 * for a whole operation timeout; the reachability probe finds etcd back, and the next tick does the
 * work. A tick whose queued work has not finished yet is not followed by another.
 */
final class BackgroundTick {

  static final long TICK_MILLIS = 1_000;

  private final NodeContext ctx;
  private final UncertainGrants uncertain;
  private final Settlements settlements;
  private final KeyWatch keyWatch;
  private final Liveness liveness;
  private final BooleanSupplier closed;

  // Store thread only: the queued work of the last tick has not finished.
  private boolean ticking;

  /**
   * @param closed whether the store is closed
   */
  BackgroundTick(
      NodeContext ctx,
      UncertainGrants uncertain,
      Settlements settlements,
      KeyWatch keyWatch,
      Liveness liveness,
      BooleanSupplier closed) {
    this.ctx = ctx;
    this.uncertain = uncertain;
    this.settlements = settlements;
    this.keyWatch = keyWatch;
    this.liveness = liveness;
    this.closed = closed;
  }

  /** Schedules the tick on the store thread, the first one second from now. */
  void start() {
    ctx.executor()
        .scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    if (closed.getAsBoolean()) {
      return;
    }
    ctx.journal().retryOwed(); // needs no etcd: entries of what etcd already committed
    if (ticking || !ctx.reachability().reachable()) {
      return;
    }
    ticking = true;
    ctx.queue()
        .submit(
            () -> {
              // One after another: resolve first, then each pending settlement.
              CompletableFuture<Void> resolved = uncertain.resolve().handle((x, e) -> null);
              return settlements.retryAfter(resolved);
            })
        .whenCompleteAsync((v, e) -> ticking = false, ctx.executor());
    keyWatch.repairIfBroken();
    liveness.renewIfMissing();
  }
}
