package dev.sluice.cluster;

import dev.sluice.budget.BudgetPath;
import dev.sluice.store.OpenSet;
import dev.sluice.store.Settlement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a grant whose transaction was sent but whose answer was lost (time-out, connection
 * lost): it completed {@code Unavailable}, and it is remembered here as uncertain.
 *
 * <p>Crash guarantee: before this node's next etcd operation, the uncertain grant is resolved by a
 * fencing write to this node's sequence key (rewritten unchanged if it is still as the lost
 * transaction read it), after which the lost transaction can no longer commit. If it had committed,
 * its {@code grant} entry is written late (field {@code late}) and a new set is settled back at
 * once, since nobody holds it. Until then every grant and settlement waits; while etcd cannot be
 * asked, grants complete {@code Unavailable}. Store thread only, but for {@link #count}.
 */
final class UncertainGrants {

  // Logs as the store: operators find its lines under one name.
  private static final Logger log = LoggerFactory.getLogger(EtcdBudgetStore.class);

  /** A grant transaction that was sent and whose answer was lost. */
  record Uncertain(
      long grantId,
      long setId,
      boolean newSet,
      BudgetPath path,
      long setTime,
      long amount,
      long sent,
      long expires,
      Versioned seqBasis,
      String setKey) {}

  private final NodeContext ctx;
  private final AtomicInteger count = new AtomicInteger();
  private Settlements settlements;
  private Uncertain uncertain;
  private CompletableFuture<Boolean> resolving;

  UncertainGrants(NodeContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Where a new set of a grant found committed is settled back. Set once, by the store's wiring:
   * settlements in turn wait for this class to resolve.
   */
  void settleBackThrough(Settlements s) {
    this.settlements = s;
  }

  /** Uncertain grants not yet resolved (0 or 1), for the stats. */
  int count() {
    return count.get();
  }

  /** Remembers a grant whose answer was lost; it is resolved before the next operation. */
  void remember(Uncertain u) {
    uncertain = u;
    count.set(1);
  }

  /**
   * Resolves the uncertain grant, if any: rewrites this node's sequence key unchanged if it is
   * still as the lost transaction read it (after which that transaction can never commit), else
   * reads it and the set record to learn whether it committed. Completes true when nothing is
   * uncertain any more, false when etcd could not be asked.
   */
  CompletableFuture<Boolean> resolve() {
    Uncertain u = uncertain;
    if (u == null) {
      return CompletableFuture.completedFuture(true);
    }
    if (resolving == null && !ctx.reachability().reachable()) {
      return CompletableFuture.completedFuture(false); // the probe tells when to try again
    }
    if (resolving == null) {
      resolving = fence(u).whenCompleteAsync((ok, e) -> resolving = null, ctx.executor());
    }
    return resolving;
  }

  private CompletableFuture<Boolean> fence(Uncertain u) {
    String seqKey = ctx.keys().seq(ctx.nodeId());
    Map<String, Versioned> basis = Map.of(seqKey, u.seqBasis());
    Map<String, byte[]> puts = Map.of(seqKey, Versioned.decimal(u.seqBasis().asCounter(seqKey)));
    return ctx.io()
        .txn(basis, puts, List.of(), List.of(seqKey, u.setKey()))
        .handleAsync(
            (out, e) -> {
              if (e != null) {
                log.debug(
                    "{}: grant {} still uncertain: {}",
                    ctx.name(),
                    u.grantId(),
                    EtcdIo.rootMessage(e));
                return CompletableFuture.completedFuture(false);
              }
              uncertain = null;
              count.set(0);
              if (out.succeeded()) {
                ctx.casLoop().applyWrites(basis, puts, List.of(), out.revision());
                log.info("{}: grant {} did not happen (fenced)", ctx.name(), u.grantId());
                return CompletableFuture.completedFuture(true);
              }
              out.read().forEach(ctx.cache()::apply);
              Versioned seq = out.read().get(seqKey);
              Versioned rec = out.read().get(u.setKey());
              boolean landed = seq.asCounter(seqKey) == u.grantId();
              if (!landed && rec.exists()) {
                landed = SetRecord.parse(u.setKey(), rec.value()).lastGrant() == u.grantId();
              }
              if (!landed) {
                if (seq.asCounter(seqKey) == u.seqBasis().asCounter(seqKey)) {
                  // Only the revision moved: an earlier fence of ours, answered late, landed.
                  log.info("{}: grant {} did not happen (fenced earlier)", ctx.name(), u.grantId());
                } else {
                  log.error(
                      "{}: sequence key of node {} was changed by someone else: is another"
                          + " running gateway using this node_id?",
                      ctx.name(),
                      ctx.nodeId());
                }
                return CompletableFuture.completedFuture(true);
              }
              return landed(u).thenApply(x -> true);
            },
            ctx.executor())
        .thenCompose(f -> f);
  }

  /** The uncertain grant did commit: ledger it, and give a new set's bytes back at once. */
  private CompletableFuture<Void> landed(Uncertain u) {
    ctx.escrow().usedGrantId(u.grantId());
    log.warn(
        "{}: grant {} ({} bytes) did commit although its answer was lost; recorded late",
        ctx.name(),
        u.grantId(),
        u.amount());
    CompletableFuture<Long> entry =
        ctx.journal()
            .grant(
                u.grantId(),
                u.setId(),
                u.path().nodeIds(),
                u.amount(),
                u.expires(),
                u.sent(),
                true);
    if (u.newSet()) {
      ctx.escrow().put(new OpenSet(u.setId(), u.setTime(), u.path().nodeIds(), u.amount(), 0));
      // Runs after the operation that is resolving (this one), like any other queued settlement.
      settlements.settleBack(
          new Settlement(u.path(), u.setId(), u.setTime(), u.amount(), 0, u.amount(), "uncertain"));
    } else {
      ctx.escrow().granted(u.setId(), u.amount(), u.sent());
    }
    return entry.handle((i, e) -> null);
  }
}
