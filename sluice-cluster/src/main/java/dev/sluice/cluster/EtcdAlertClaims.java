package dev.sluice.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Which gateway node raises an alert that is the same for the whole fleet (a budget threshold: one
 * per limit, window period and threshold, whichever node's traffic crossed it). The first node to
 * raise it creates {@code {prefix}/v1/alerts/{alert key}} ({@link EtcdKeys#alertClaim}) in a
 * transaction conditioned on its absence ({@code If} version 0); every other node finds the key and
 * its owner and raises nothing. The value is JSON {@code {"node", "alert", "at"}} ({@code at}:
 * epoch ms on the owner's clock).
 *
 * <p>A claim lives until its alert's period ends plus {@link #RETAIN}, under a lease of that TTL,
 * so the keys of past periods go by themselves; a claim that never ends (a lifetime limit) has no
 * lease. A node that claims a key it already owns (it restarted before recording the alert) gets it
 * back. Every call has the store's operation deadline and completes exceptionally when etcd does
 * not answer in time: the caller decides what an undecided claim means. Thread-safe.
 */
public final class EtcdAlertClaims {

  /** How long a claim outlives its alert's period (clock skew between the nodes, late checks). */
  public static final Duration RETAIN = Duration.ofHours(1);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KV kv;
  private final Lease lease;
  private final EtcdKeys keys;
  private final String nodeId;
  private final long timeoutMillis;

  EtcdAlertClaims(Client client, EtcdKeys keys, String nodeId, Duration timeout) {
    this.kv = client.getKVClient();
    this.lease = client.getLeaseClient();
    this.keys = Objects.requireNonNull(keys, "keys");
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.timeoutMillis = timeout.toMillis();
  }

  /** This gateway node's id, the owner its own claims name. */
  public String nodeId() {
    return nodeId;
  }

  /**
   * Claims alert {@code alertKey} for this node unless a node already has; completes with the
   * owner's node id (this node's if the claim is its own).
   *
   * @param untilMillis when the alert's period ends (epoch ms), {@link Long#MAX_VALUE} for never
   * @param nowMillis now, on this node's clock
   */
  public CompletableFuture<String> claim(String alertKey, long untilMillis, long nowMillis) {
    long ttl = ttlSeconds(untilMillis, nowMillis);
    if (ttl <= 0) {
      return txn(alertKey, nowMillis, 0);
    }
    return deadline(lease.grant(ttl))
        .thenCompose(
            g ->
                txn(alertKey, nowMillis, g.getID())
                    .whenComplete(
                        (owner, e) -> {
                          if (e != null || !nodeId.equals(owner)) {
                            lease.revoke(g.getID()); // not used: the key was there already
                          }
                        }));
  }

  /**
   * The lease TTL of a claim: from now to the period's end, rounded up to whole seconds, plus
   * {@link #RETAIN}; 0 (no lease) for a period that never ends or a TTL that would overflow.
   */
  static long ttlSeconds(long untilMillis, long nowMillis) {
    if (untilMillis == Long.MAX_VALUE) {
      return 0;
    }
    try {
      long left = Math.max(0, Math.subtractExact(untilMillis, nowMillis));
      return Math.addExact(
          Math.max(1, left / 1000 + (left % 1000 == 0 ? 0 : 1)), RETAIN.toSeconds());
    } catch (ArithmeticException e) {
      return 0;
    }
  }

  private CompletableFuture<String> txn(String alertKey, long nowMillis, long leaseId) {
    ByteSequence key = EtcdIo.bytes(keys.alertClaim(alertKey));
    ObjectNode v = JSON.createObjectNode();
    v.put("node", nodeId);
    v.put("alert", alertKey);
    v.put("at", nowMillis);
    PutOption put =
        leaseId == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(leaseId).build();
    CompletableFuture<TxnResponse> t =
        kv.txn()
            .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
            .Then(
                Op.put(key, ByteSequence.from(v.toString().getBytes(StandardCharsets.UTF_8)), put))
            .Else(Op.get(key, GetOption.DEFAULT))
            .commit();
    return deadline(t).thenApply(r -> r.isSucceeded() ? nodeId : owner(alertKey, r));
  }

  private String owner(String alertKey, TxnResponse r) {
    if (r.getGetResponses().isEmpty() || r.getGetResponses().get(0).getKvs().isEmpty()) {
      // Deleted (its lease expired) between the compare and the read: nobody holds it now.
      throw new IllegalStateException("the claim of " + alertKey + " vanished; try again");
    }
    byte[] value = r.getGetResponses().get(0).getKvs().get(0).getValue().getBytes();
    try {
      JsonNode n = JSON.readTree(value);
      String node = n.path("node").asText("");
      if (node.isEmpty()) {
        throw new IllegalStateException("the claim of " + alertKey + " names no node");
      }
      return node;
    } catch (IOException e) {
      throw new IllegalStateException("the claim of " + alertKey + " is not JSON", e);
    }
  }

  private <T> CompletableFuture<T> deadline(CompletableFuture<T> f) {
    return f.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }
}
