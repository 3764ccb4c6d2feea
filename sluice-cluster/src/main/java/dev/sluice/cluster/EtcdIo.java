package dev.sluice.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Txn;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The etcd calls the store makes, each with the operation deadline: linearizable multi-key reads,
 * prefix listings and compare-and-swap transactions. A call that misses its deadline completes
 * exceptionally with a {@link java.util.concurrent.TimeoutException}; a write may still have been
 * applied then (the caller treats its outcome as unknown). Every outcome is reported to the store's
 * {@link Reachability}; {@link #rootMessage} says why one failed. Thread-safe.
 */
final class EtcdIo {

  private final KV kv;
  private final long timeoutMillis;
  private final Reachability reachability;

  EtcdIo(KV kv, Duration timeout, Reachability reachability) {
    this.kv = kv;
    this.timeoutMillis = timeout.toMillis();
    this.reachability = reachability;
  }

  /** The outcome of a transaction: whether its compares held, its revision, the keys it read. */
  record Outcome(boolean succeeded, long revision, Map<String, Versioned> read) {}

  /** A listing of every key under a prefix at one revision. */
  record Listing(Map<String, Versioned> keys, long revision) {}

  /** Reads {@code keys} at one revision (one transaction of gets). */
  CompletableFuture<Outcome> read(Collection<String> keys) {
    List<String> list = List.copyOf(new LinkedHashSet<>(keys));
    Txn t = kv.txn().Then(gets(list));
    return deadline(t.commit()).thenApply(r -> new Outcome(true, revision(r), values(list, r)));
  }

  /**
   * One transaction: if every key of {@code basis} is as it was read (same mod revision, or still
   * absent), applies {@code puts} and {@code deletes}; otherwise reads {@code elseRead}.
   */
  CompletableFuture<Outcome> txn(
      Map<String, Versioned> basis,
      Map<String, byte[]> puts,
      Collection<String> deletes,
      Collection<String> elseRead) {
    List<Cmp> cmps = new ArrayList<>(basis.size());
    basis.forEach((k, v) -> cmps.add(unchanged(k, v)));
    List<Op> ops = new ArrayList<>(puts.size() + deletes.size());
    puts.forEach((k, v) -> ops.add(Op.put(bytes(k), ByteSequence.from(v), PutOption.DEFAULT)));
    for (String k : deletes) {
      ops.add(Op.delete(bytes(k), DeleteOption.DEFAULT));
    }
    List<String> reads = List.copyOf(new LinkedHashSet<>(elseRead));
    Txn t = kv.txn().If(cmps.toArray(new Cmp[0])).Then(ops.toArray(new Op[0])).Else(gets(reads));
    return deadline(t.commit())
        .thenApply(
            r ->
                r.isSucceeded()
                    ? new Outcome(true, revision(r), Map.of())
                    : new Outcome(false, revision(r), values(reads, r)));
  }

  /** Every key under {@code prefix}, at one revision. */
  CompletableFuture<Listing> list(String prefix) {
    GetOption all = GetOption.builder().isPrefix(true).build();
    return deadline(kv.get(bytes(prefix), all))
        .thenApply(
            r -> {
              Map<String, Versioned> m = new LinkedHashMap<>();
              for (KeyValue kv : r.getKvs()) {
                m.put(text(kv.getKey()), versioned(kv));
              }
              return new Listing(m, r.getHeader().getRevision());
            });
  }

  private <T> CompletableFuture<T> deadline(CompletableFuture<T> f) {
    return f.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .whenComplete(
            (v, e) -> {
              if (e == null) {
                reachability.answered();
              } else {
                reachability.failed(e);
              }
            });
  }

  private static Cmp unchanged(String key, Versioned v) {
    return v.exists()
        ? new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(v.modRevision()))
        : new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.version(0));
  }

  private static Op[] gets(List<String> keys) {
    Op[] ops = new Op[keys.size()];
    for (int i = 0; i < ops.length; i++) {
      ops[i] = Op.get(bytes(keys.get(i)), GetOption.DEFAULT);
    }
    return ops;
  }

  private static Map<String, Versioned> values(List<String> keys, TxnResponse r) {
    List<GetResponse> gets = r.getGetResponses();
    if (gets.size() != keys.size()) {
      throw new IllegalStateException(
          "etcd answered " + gets.size() + " reads for " + keys.size() + " keys");
    }
    Map<String, Versioned> m = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      List<KeyValue> kvs = gets.get(i).getKvs();
      m.put(keys.get(i), kvs.isEmpty() ? Versioned.ABSENT : versioned(kvs.get(0)));
    }
    return m;
  }

  static Versioned versioned(KeyValue kv) {
    return new Versioned(kv.getValue().getBytes(), kv.getModRevision(), kv.getVersion());
  }

  private static long revision(TxnResponse r) {
    return r.getHeader().getRevision();
  }

  /**
   * {@code f} with a deadline of {@code timeoutMillis}; at the deadline the call itself is
   * cancelled too, so that jetcd does not send it later.
   */
  static <T> CompletableFuture<T> deadline(CompletableFuture<T> f, long timeoutMillis) {
    CompletableFuture<T> out = new CompletableFuture<>();
    f.whenComplete(
        (v, e) -> {
          if (e != null) {
            out.completeExceptionally(e);
          } else {
            out.complete(v);
          }
        });
    CompletableFuture.delayedExecutor(timeoutMillis, TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              if (out.completeExceptionally(
                  new TimeoutException("no answer from etcd within " + timeoutMillis + " ms"))) {
                f.cancel(true);
              }
            });
    return out;
  }

  static ByteSequence bytes(String key) {
    return ByteSequence.from(key, StandardCharsets.UTF_8);
  }

  static String text(ByteSequence b) {
    return b.toString(StandardCharsets.UTF_8);
  }

  /**
   * Why an etcd call (or an operation made of them) failed, for messages: the cause inside the
   * futures' wrappers, "no answer within the operation timeout" for a missed deadline.
   */
  static String rootMessage(Throwable t) {
    while (t.getCause() != null
        && (t instanceof CompletionException
            || t instanceof ExecutionException
            || t.getCause() instanceof TimeoutException)) {
      t = t.getCause();
    }
    if (t instanceof TimeoutException) {
      return "no answer within the operation timeout";
    }
    String m = t.getMessage();
    return m == null ? t.toString() : t.getClass().getSimpleName() + ": " + m;
  }
}
