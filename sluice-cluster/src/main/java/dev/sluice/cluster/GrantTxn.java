package dev.sluice.cluster;

import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.Denial;
import dev.sluice.cluster.CasLoop.Plan;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.GrantRequest;
import dev.sluice.store.GrantResult;
import dev.sluice.store.OpenSet;
import dev.sluice.store.StoreMath;
import dev.sluice.time.Window;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One grant as a compare-and-swap transaction over every counter on the path (every window of every
 * node), this node's sequence key and the set's grant record ({@link SetRecord}): it raises the
 * counters by the amount, writes the record and bumps the sequence to the new grant id.
 *
 * <p>Zero overshoot: the grant commits only if no counter it read has changed since (compare on mod
 * revisions), and it never raises a counter past its cap, so the sum of all grants of all nodes in
 * a period never exceeds any cap. A transaction that finds a key changed reads the new values in
 * the same round trip and tries again after a short random back-off, until the operation timeout
 * has passed (at least {@value CasLoop#MIN_ATTEMPTS} attempts; see {@link CasLoop}); only then is
 * the grant {@code Unavailable}.
 *
 * <p>Crash guarantee: a grant completes {@code Granted} only after its transaction committed in
 * etcd (durable on a majority of members) and its {@code grant} entry is fsynced in this node's
 * ledger ({@link NodeJournal}). If the ledger append fails, the bytes stay counted in etcd and the
 * grant completes {@code Unavailable} naming the ledger. If the answer is lost, the grant is
 * uncertain ({@link UncertainGrants}).
 *
 * <p>Clock skew: the clock only decides which period keys a grant charges and when a set expires. A
 * skewed node can therefore misjudge its own expiries and period boundaries (charging a period that
 * has, by the true clock, not yet begun or already ended), but spent only ever grows through
 * compare-and-swap transactions, every node that charges a period key sees every other node's
 * charges to it, and only the owning node credits its own set, once. So skew never lets the nodes
 * together pass a cap of a period they agree on.
 */
final class GrantTxn implements CasLoop.Op<GrantResult> {

  // Logs as the store: operators find its lines under one name.
  private static final Logger log = LoggerFactory.getLogger(EtcdBudgetStore.class);

  private final NodeContext ctx;
  private final ChunkPolicy policy;
  private final long grantTtlMillis;
  private final UncertainGrants uncertain;
  private final AtomicLong issued;
  private final GrantRequest r;
  private final BudgetPath path;
  private final OpenSet set;
  private final long now;
  private final long setTime;
  private final long dayEnd;
  private final Map<Window, Long> periods;
  private final String[] counterKeys;
  private final String seqKey;

  // Of the attempt in flight:
  private long grantId;
  private long amount;
  private long expires;
  private String setKey;
  private Versioned seqBasis;

  /**
   * @param issued counts the grants committed
   * @param set the open set the grant adds to, or null for a new set
   * @param setTime when the set began: its bytes belong to the periods of this time
   * @param dayEnd the end of the set's day, past which no grant of it expires
   */
  GrantTxn(
      NodeContext ctx,
      ChunkPolicy policy,
      long grantTtlMillis,
      UncertainGrants uncertain,
      AtomicLong issued,
      GrantRequest r,
      OpenSet set,
      long now,
      long setTime,
      long dayEnd) {
    this.ctx = ctx;
    this.policy = policy;
    this.grantTtlMillis = grantTtlMillis;
    this.uncertain = uncertain;
    this.issued = issued;
    this.r = r;
    this.path = r.path();
    this.set = set;
    this.now = now;
    this.setTime = setTime;
    this.dayEnd = dayEnd;
    this.periods = SetRecord.periodsOf(ctx.calendar(), setTime);
    this.seqKey = ctx.keys().seq(ctx.nodeId());
    this.counterKeys = new String[path.slotCount()];
    for (int s = 0; s < counterKeys.length; s++) {
      Window w = path.slotWindow(s);
      counterKeys[s] = ctx.keys().counter(path.slotBudgetNode(s).id(), w, periods.get(w));
    }
  }

  @Override
  public Plan<GrantResult> plan(Snapshot snap) {
    int binding = -1;
    long remaining = Long.MAX_VALUE;
    long[] spent = new long[counterKeys.length];
    for (int s = 0; s < counterKeys.length; s++) {
      spent[s] = snap.get(counterKeys[s]).asCounter(counterKeys[s]);
      long cap = path.slotCap(s);
      long left = Math.max(0, (cap == BudgetNode.NO_LIMIT ? Long.MAX_VALUE : cap) - spent[s]);
      if (binding < 0 || left < remaining) {
        binding = s;
        remaining = left;
      }
    }
    seqBasis = snap.get(seqKey);
    grantId = Math.addExact(Math.max(seqBasis.asCounter(seqKey), ctx.escrow().lastGrantId()), 1);
    setKey = ctx.keys().set(ctx.nodeId(), set == null ? grantId : set.setId());
    List<String> all = new ArrayList<>(List.of(counterKeys));
    all.add(seqKey);
    all.add(setKey);
    Versioned setV = snap.get(setKey);
    SetRecord record = null;
    if (set != null) {
      if (!setV.exists()) {
        if (!snap.fresh(setKey)) {
          return new Plan.Refresh<>(all);
        }
        ctx.escrow().forget(set.setId());
        return new Plan.Done<>(
            ctx.unavailable("escrow set " + set.setId() + " is no longer in etcd"));
      }
      record = SetRecord.parse(setKey, setV.value());
    } else if (setV.exists()) {
      if (!snap.fresh(setKey)) {
        return new Plan.Refresh<>(all);
      }
      return new Plan.Done<>(
          ctx.unavailable(
              "grant record "
                  + setKey
                  + " exists before its grant: is another running gateway using node_id "
                  + ctx.nodeId()
                  + "?"));
    }
    amount = policy.amount(r.need(), r.want(), remaining);
    if (amount < 0 || (amount == 0 && set == null)) {
      if (!snap.allFresh(counterKeys)) {
        return new Plan.Refresh<>(all);
      }
      log.debug(
          "{}: denied {} bytes on {}: {} spent of {}",
          ctx.name(),
          r.need(),
          counterKeys[binding],
          spent[binding],
          path.slotCap(binding));
      return new Plan.Done<>(new GrantResult.Denied(denial(binding)));
    }
    expires = StoreMath.expiresAt(now, grantTtlMillis, dayEnd);
    SetRecord next =
        record == null
            ? new SetRecord(
                grantId,
                ctx.nodeId(),
                setTime,
                path.nodeIds(),
                periods,
                amount,
                r.sent(),
                grantId,
                amount,
                expires,
                now)
            : record.plus(grantId, amount, r.sent(), expires, now);
    Map<String, Versioned> basis = new LinkedHashMap<>();
    Map<String, byte[]> puts = new LinkedHashMap<>();
    if (amount > 0) {
      for (int s = 0; s < counterKeys.length; s++) {
        basis.put(counterKeys[s], snap.get(counterKeys[s]));
        puts.put(counterKeys[s], Versioned.decimal(Math.addExact(spent[s], amount)));
      }
    }
    basis.put(seqKey, seqBasis);
    basis.put(setKey, setV);
    puts.put(seqKey, Versioned.decimal(grantId));
    puts.put(setKey, next.toJson());
    return new Plan.Write<>(basis, puts, List.of(), all, this::committed);
  }

  private Denial denial(int slot) {
    BudgetNode node = path.slotBudgetNode(slot);
    Window w = path.slotWindow(slot);
    long cap = path.slotCap(slot);
    String reason = cap == BudgetNode.NO_LIMIT ? "counter_overflow" : Denial.BUDGET_EXHAUSTED;
    return new Denial(node.id(), w, cap, ctx.calendar().periodEnd(w, now), reason);
  }

  /** Committed in etcd: open the set here, then ledger the grant before it counts as granted. */
  private CompletableFuture<GrantResult> committed(long revision) {
    ctx.escrow().usedGrantId(grantId);
    issued.incrementAndGet();
    long setId = set == null ? grantId : set.setId();
    ctx.escrow()
        .put(
            set == null
                ? new OpenSet(grantId, setTime, path.nodeIds(), amount, r.sent())
                : set.plus(amount, r.sent()));
    GrantResult.Granted g = new GrantResult.Granted(grantId, setId, amount, setTime, expires);
    return ctx.journal()
        .grant(grantId, setId, path.nodeIds(), amount, expires, r.sent(), false)
        .handle(
            (i, e) ->
                e == null
                    ? g
                    : ctx.unavailable(
                        "grant "
                            + grantId
                            + " is counted in etcd but its ledger entry is not durable: "
                            + EtcdIo.rootMessage(e)));
  }

  @Override
  public CompletableFuture<GrantResult> unknown(Throwable e) {
    uncertain.remember(
        new UncertainGrants.Uncertain(
            grantId,
            set == null ? grantId : set.setId(),
            set == null,
            path,
            setTime,
            amount,
            r.sent(),
            expires,
            seqBasis,
            setKey));
    log.warn(
        "{}: outcome of grant {} ({} bytes) unknown: {}; it stays counted until resolved",
        ctx.name(),
        grantId,
        amount,
        EtcdIo.rootMessage(e));
    return CompletableFuture.completedFuture(
        ctx.unavailable("etcd did not confirm grant " + grantId + ": " + EtcdIo.rootMessage(e)));
  }

  @Override
  public GrantResult contended(int attempts) {
    return ctx.unavailable(
        "etcd keys of path "
            + path
            + " kept changing under other nodes' grants for the operation timeout ("
            + attempts
            + " attempts)");
  }
}
