package dev.sluice.cluster;

import dev.sluice.cluster.CasLoop.Plan;
import dev.sluice.store.StoreMath;
import dev.sluice.store.StrandedReport;
import dev.sluice.time.Window;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes over from an earlier run of this node id at start, after {@link NodeClaim}: first fences
 * this node's sequence key (rewrites it unchanged), so that no transaction of the earlier run can
 * commit any more; then strands every escrow set that run left unsettled.
 *
 * <p>Crash guarantee: an escrow set left unsettled by an earlier run (its grant record is still in
 * etcd) gets a {@code stranded} ledger entry, its reported sent bytes are added to the sent
 * counters, its record is deleted, and its bytes stay counted as spent ({@link StrandedReport}). A
 * crash between the etcd transaction and the ledger entry loses the entry, never the bytes.
 */
final class StartRecovery {

  // Logs as the store: operators find its lines under one name.
  private static final Logger log = LoggerFactory.getLogger(EtcdBudgetStore.class);

  private final NodeContext ctx;
  private final StartWaits waits;
  private final Duration opTimeout;

  StartRecovery(NodeContext ctx, StartWaits waits, Duration opTimeout) {
    this.ctx = ctx;
    this.waits = waits;
    this.opTimeout = opTimeout;
  }

  /**
   * Fences and strands on the store's queue, and waits for it (bounded by the number of sets left
   * in {@code listing}, the first listing of the site's keys).
   */
  StrandedReport run(Map<String, Versioned> listing) throws IOException {
    String prefix = ctx.keys().setsOf(ctx.nodeId());
    long setsLeft = listing.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    // Generous: each step (fence, strand) makes at least MIN_ATTEMPTS calls of up to a timeout.
    long bound = Math.addExact(4, Math.multiplyExact(2, setsLeft)) * (CasLoop.MIN_ATTEMPTS + 1);
    return waits.awaitFor(
        ctx.queue().submit(this::recover), opTimeout.multipliedBy(bound), "recover");
  }

  /** Fences the sequence key, then strands every set of this node left by an earlier run. */
  private CompletableFuture<StrandedReport> recover() {
    return ctx.casLoop()
        .run(new Fence())
        .thenComposeAsync(
            seq -> {
              ctx.escrow().usedGrantId(seq);
              List<String> leftover = new ArrayList<>();
              ctx.cache().forEach(ctx.keys().setsOf(ctx.nodeId()), (k, v) -> leftover.add(k));
              leftover.sort(null);
              return strandAll(leftover, 0, StrandedReport.NONE);
            },
            ctx.executor());
  }

  private CompletableFuture<StrandedReport> strandAll(
      List<String> setKeys, int i, StrandedReport sofar) {
    if (i == setKeys.size()) {
      return CompletableFuture.completedFuture(sofar);
    }
    String key = setKeys.get(i);
    return ctx.casLoop()
        .run(new Strand(key))
        .thenComposeAsync(
            record -> {
              if (record == null) {
                return strandAll(setKeys, i + 1, sofar);
              }
              long sent = StoreMath.sentOf(record.granted(), record.sent());
              long lost = StoreMath.unsentOf(record.granted(), record.sent());
              log.warn(
                  "{}: escrow set {} of an earlier run was never settled: {} bytes stay counted as"
                      + " spent ({} reported sent)",
                  ctx.name(),
                  record.setId(),
                  lost,
                  sent);
              CompletableFuture<Long> durable = ctx.journal().stranded(record, sent, lost);
              StrandedReport next =
                  new StrandedReport(sofar.sets() + 1, Math.addExact(sofar.bytes(), lost));
              return durable.thenComposeAsync(x -> strandAll(setKeys, i + 1, next), ctx.executor());
            },
            ctx.executor());
  }

  /**
   * Rewrites this node's sequence key unchanged, so no transaction of an earlier run can commit.
   * Completes with the sequence: the last grant id used.
   */
  private final class Fence implements CasLoop.Op<Long> {
    final String seqKey = ctx.keys().seq(ctx.nodeId());

    @Override
    public Plan<Long> plan(Snapshot snap) {
      if (!snap.fresh(seqKey)) {
        return new Plan.Refresh<>(List.of(seqKey));
      }
      Versioned v = snap.get(seqKey);
      long seq = v.asCounter(seqKey);
      return new Plan.Write<>(
          Map.of(seqKey, v),
          Map.of(seqKey, Versioned.decimal(seq)),
          List.of(),
          List.of(seqKey),
          rev -> CompletableFuture.completedFuture(seq));
    }

    @Override
    public CompletableFuture<Long> unknown(Throwable e) {
      return CompletableFuture.failedFuture(e);
    }

    @Override
    public Long contended(int attempts) {
      throw new CompletionException(
          new IOException(
              "sequence key of node "
                  + ctx.nodeId()
                  + " keeps changing: another running gateway uses this node_id"));
    }
  }

  /**
   * Ends a set of an earlier run: its reported sent bytes go to the sent counters, its record is
   * deleted, its bytes stay spent. Completes with the record, or null if it was gone.
   */
  private final class Strand implements CasLoop.Op<SetRecord> {
    final String setKey;

    Strand(String setKey) {
      this.setKey = setKey;
    }

    @Override
    public Plan<SetRecord> plan(Snapshot snap) {
      Versioned setV = snap.get(setKey);
      if (!setV.exists()) {
        return snap.fresh(setKey) ? new Plan.Done<>(null) : new Plan.Refresh<>(List.of(setKey));
      }
      SetRecord r;
      try {
        r = SetRecord.parse(setKey, setV.value());
      } catch (IllegalArgumentException e) {
        log.error("{}: left in place, cannot be stranded: {}", ctx.name(), e.getMessage());
        return new Plan.Done<>(null);
      }
      long sent = StoreMath.sentOf(r.granted(), r.sent());
      Map<String, Versioned> basis = new LinkedHashMap<>();
      Map<String, byte[]> puts = new LinkedHashMap<>();
      List<String> all = new ArrayList<>();
      all.add(setKey);
      basis.put(setKey, setV);
      if (sent > 0) {
        for (String node : r.nodes()) {
          for (Window w : Window.values()) {
            String sk = ctx.keys().sent(node, w, r.periods().get(w));
            Versioned t = snap.get(sk);
            all.add(sk);
            basis.put(sk, t);
            puts.put(sk, Versioned.decimal(StoreMath.saturatedAdd(t.asCounter(sk), sent)));
          }
        }
      }
      return new Plan.Write<>(
          basis, puts, List.of(setKey), all, rev -> CompletableFuture.completedFuture(r));
    }

    @Override
    public CompletableFuture<SetRecord> unknown(Throwable e) {
      return CompletableFuture.failedFuture(e);
    }

    @Override
    public SetRecord contended(int attempts) {
      throw new CompletionException(
          new IOException(
              "keys of "
                  + setKey
                  + " kept changing for the operation timeout ("
                  + attempts
                  + " attempts)"));
    }
  }
}
