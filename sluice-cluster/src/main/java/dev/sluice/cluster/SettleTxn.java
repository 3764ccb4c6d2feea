package dev.sluice.cluster;

import dev.sluice.cluster.CasLoop.Plan;
import dev.sluice.store.StoreMath;
import dev.sluice.time.Window;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One settlement as a compare-and-swap transaction: credits the returned bytes to the counters the
 * set was granted on (never below zero), adds its sent bytes to the sent counters and deletes its
 * grant record, conditioned on the record's revision. Completes true when it committed (now or in
 * an earlier attempt whose answer was lost), false when there was nothing to settle.
 *
 * <p>Crash guarantee: a set is credited at most once, and never more than its record says was
 * granted; the sent bytes count at most what was granted ({@link StoreMath#sentOf}). Idempotent: an
 * attempt whose answer was lost is simply tried again, and finds the record gone if it landed.
 */
final class SettleTxn implements CasLoop.Op<Boolean> {

  private final EtcdKeys keys;
  private final Settlements.Pending p;
  private final String setKey;

  SettleTxn(EtcdKeys keys, String nodeId, Settlements.Pending p) {
    this.keys = keys;
    this.p = p;
    this.setKey = keys.set(nodeId, p.s.setId());
  }

  @Override
  public Plan<Boolean> plan(Snapshot snap) {
    Versioned setV = snap.get(setKey);
    if (!setV.exists()) {
      if (!snap.fresh(setKey)) {
        return new Plan.Refresh<>(List.of(setKey));
      }
      // Only this node deletes its records: an earlier attempt landed, or there was none.
      return new Plan.Done<>(p.sent);
    }
    SetRecord r = SetRecord.parse(setKey, setV.value());
    long sent = StoreMath.sentOf(r.granted(), p.s.sent());
    long returned = StoreMath.unsentOf(r.granted(), p.s.sent());
    Map<String, Versioned> basis = new LinkedHashMap<>();
    Map<String, byte[]> puts = new LinkedHashMap<>();
    List<String> all = new ArrayList<>();
    all.add(setKey);
    basis.put(setKey, setV);
    for (String node : r.nodes()) {
      for (Window w : Window.values()) {
        String ck = keys.counter(node, w, r.periods().get(w));
        String sk = keys.sent(node, w, r.periods().get(w));
        all.add(ck);
        all.add(sk);
        Versioned c = snap.get(ck);
        basis.put(ck, c);
        if (c.exists() && returned > 0) {
          long v = c.asCounter(ck);
          puts.put(ck, Versioned.decimal(v > returned ? v - returned : 0));
        }
        Versioned t = snap.get(sk);
        basis.put(sk, t);
        if (sent > 0) {
          puts.put(sk, Versioned.decimal(StoreMath.saturatedAdd(t.asCounter(sk), sent)));
        }
      }
    }
    p.sent = true;
    p.record = r;
    p.granted = r.granted();
    p.sentBytes = sent;
    p.returned = returned;
    return new Plan.Write<>(
        basis, puts, List.of(setKey), all, rev -> CompletableFuture.completedFuture(true));
  }

  @Override
  public CompletableFuture<Boolean> unknown(Throwable e) {
    return CompletableFuture.failedFuture(e); // idempotent: the next attempt finds out
  }

  @Override
  public Boolean contended(int attempts) {
    throw new CompletionException(
        new IOException(
            "keys kept changing for the operation timeout (" + attempts + " attempts)"));
  }
}
