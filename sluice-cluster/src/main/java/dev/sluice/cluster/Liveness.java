package dev.sluice.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.time.Clock;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's liveness key ({@code {prefix}/v1/nodes/{node}}) under an etcd lease of TTL {@code
 * grant_ttl}, kept alive while the node runs. The key is only ever created where it does not exist
 * (a transaction on version 0, or on the revision of a key without a lease), so a second running
 * process with the same node id cannot take it over: {@link #claim} tells who holds it instead, and
 * {@link #awaitRelease} waits (bounded) for that holder's lease to expire, which it does within its
 * TTL after the holder was killed. A lease lost while etcd was unreachable shows as the key missing
 * from the cache; {@link #renewIfMissing} then claims it again under a new lease. Called from the
 * store thread only (except {@link #close}).
 */
final class Liveness implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Liveness.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Who holds the liveness key, as read when a claim failed.
   *
   * @param leaseId its lease (0: a key without a lease, which no running node writes)
   * @param modRevision the key's mod revision as read
   * @param startedAt the holder's {@code started_at} (epoch ms), or -1 if unreadable
   */
  record Holder(long leaseId, long modRevision, long startedAt) {}

  /**
   * How a wait for a holder's lease ended.
   *
   * @param released the lease expired or was revoked, or the key left it: claim again
   * @param why for the message when not released
   * @param waitedMillis the time waited between the polls (scheduled delays)
   */
  record Release(boolean released, String why, long waitedMillis) {}

  private final Client client;
  private final KeyCache cache;
  private final String key;
  private final String nodeId;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final long ttlSeconds;
  private final long timeoutNanos;
  private volatile long leaseId;
  private volatile CloseableClient keepAlive;
  private volatile boolean renewing;

  Liveness(
      Client client,
      KeyCache cache,
      String key,
      String nodeId,
      Clock clock,
      ScheduledExecutorService scheduler,
      Duration ttl,
      Duration timeout) {
    this.client = client;
    this.cache = cache;
    this.key = key;
    this.nodeId = nodeId;
    this.clock = clock;
    this.scheduler = scheduler;
    this.ttlSeconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
    this.timeoutNanos = timeout.toNanos();
  }

  String key() {
    return key;
  }

  /**
   * Takes a fresh lease and puts the key under it if the key is as expected: absent ({@code
   * expectModRevision} 0) or still at that mod revision. Completes with null when the key is this
   * node's now (and keeps the lease alive), else with the key's holder (and gives the new lease
   * back).
   */
  CompletableFuture<Holder> claim(long expectModRevision) {
    byte[] value =
        ("{\"node_id\":\"" + nodeId + "\",\"started_at\":" + clock.millis() + "}")
            .getBytes(StandardCharsets.UTF_8);
    ByteSequence k = EtcdIo.bytes(key);
    Cmp expected =
        expectModRevision == 0
            ? new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0))
            : new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectModRevision));
    return client
        .getLeaseClient()
        .grant(ttlSeconds)
        .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
        .thenCompose(
            g -> {
              PutOption withLease = PutOption.builder().withLeaseId(g.getID()).build();
              return client
                  .getKVClient()
                  .txn()
                  .If(expected)
                  .Then(Op.put(k, ByteSequence.from(value), withLease))
                  .Else(Op.get(k, GetOption.DEFAULT))
                  .commit()
                  .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
                  .whenComplete(
                      (r, e) -> {
                        if (e != null) {
                          // The put may have landed: give the lease back, or the key would
                          // outlive this attempt by grant_ttl and make the next start wait.
                          client.getLeaseClient().revoke(g.getID());
                        }
                      })
                  .thenApply(r -> claimed(r, g.getID(), value));
            });
  }

  private Holder claimed(TxnResponse r, long lease, byte[] value) {
    if (r.isSucceeded()) {
      CloseableClient oldKeepAlive = keepAlive;
      long oldLease = leaseId;
      leaseId = lease;
      cache.apply(key, new Versioned(value, r.getHeader().getRevision(), 1));
      keepAlive = client.getLeaseClient().keepAlive(lease, new Quiet());
      if (oldKeepAlive != null) {
        oldKeepAlive.close();
      }
      if (oldLease != 0) {
        client.getLeaseClient().revoke(oldLease); // holds nothing now; it would expire anyway
      }
      return null;
    }
    client.getLeaseClient().revoke(lease); // not needed; it would expire by itself
    List<KeyValue> kvs =
        r.getGetResponses().isEmpty() ? List.of() : r.getGetResponses().get(0).getKvs();
    if (kvs.isEmpty()) {
      return new Holder(-1, 0, -1); // deleted in between: claim again
    }
    KeyValue kv = kvs.get(0);
    return new Holder(kv.getLease(), kv.getModRevision(), startedAt(kv.getValue().getBytes()));
  }

  private static long startedAt(byte[] value) {
    try {
      JsonNode n = JSON.readTree(value);
      JsonNode s = n == null ? null : n.get("started_at");
      return s != null && s.canConvertToLong() ? s.asLong() : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Waits until {@code h}'s lease is gone (expired, revoked, or the key no longer under it), at
   * most {@code max}, asking etcd for the lease's time to live every {@code max / 40} (0.1 to 1 s;
   * scheduled, nobody sleeps). Gives up early when the lease has more time to live than is left to
   * wait, or when it was seen renewed twice: someone keeps it alive. Fails if etcd cannot be asked.
   */
  CompletableFuture<Release> awaitRelease(Holder h, Duration max) {
    long interval = Math.max(100, Math.min(1_000, max.toMillis() / 40));
    int polls = (int) Math.max(1, (max.toMillis() + interval - 1) / interval);
    CompletableFuture<Release> out = new CompletableFuture<>();
    poll(h, 0, polls, interval, Long.MAX_VALUE, 0, out);
    return out;
  }

  private void poll(
      Holder h,
      int i,
      int polls,
      long intervalMillis,
      long lastTtl,
      int renewals,
      CompletableFuture<Release> out) {
    LeaseOption withKeys = LeaseOption.builder().withAttachedKeys().build();
    client
        .getLeaseClient()
        .timeToLive(h.leaseId(), withKeys)
        .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
        .whenComplete(
            (r, e) -> {
              long waited = (long) i * intervalMillis;
              if (e != null && notFound(e)) {
                out.complete(new Release(true, "lease " + h.leaseId() + " is gone", waited));
                return;
              }
              if (e != null) {
                out.completeExceptionally(e);
                return;
              }
              if (r.getTTL() < 0 || !holdsKey(r)) {
                out.complete(new Release(true, "lease " + h.leaseId() + " is gone", waited));
                return;
              }
              long ttl = r.getTTL();
              long leftMillis = (long) (polls - i - 1) * intervalMillis;
              int seen = renewals + (ttl > lastTtl ? 1 : 0);
              if (seen >= 2) {
                out.complete(
                    new Release(false, "its lease is being renewed: the node runs", waited));
              } else if (ttl * 1_000 > leftMillis + intervalMillis) {
                out.complete(
                    new Release(
                        false,
                        "its lease has " + ttl + " s to live, more than is left to wait",
                        waited));
              } else if (i + 1 >= polls) {
                out.complete(
                    new Release(
                        false, "its lease was still alive after the wait: the node runs", waited));
              } else {
                try {
                  scheduler.schedule(
                      () -> poll(h, i + 1, polls, intervalMillis, ttl, seen, out),
                      intervalMillis,
                      TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException x) {
                  out.completeExceptionally(x);
                }
              }
            });
  }

  private static boolean notFound(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof EtcdException x && x.getErrorCode() == ErrorCode.NOT_FOUND) {
        return true;
      }
    }
    return false;
  }

  private boolean holdsKey(LeaseTimeToLiveResponse r) {
    for (ByteSequence k : r.getKeys()) {
      if (EtcdIo.text(k).equals(key)) {
        return true;
      }
    }
    return false;
  }

  /** Claims the key again in the background if it is gone and no renewal is under way. */
  void renewIfMissing() {
    if (renewing || cache.get(key).exists()) {
      return;
    }
    renewing = true;
    claim(0)
        .whenComplete(
            (h, e) -> {
              renewing = false;
              if (h != null && h.leaseId() != leaseId && h.leaseId() > 0) {
                log.error(
                    "liveness key {} is held under another lease (started_at {}): another running"
                        + " gateway uses node_id {}",
                    key,
                    h.startedAt(),
                    nodeId);
              }
            });
  }

  /** Stops the keep-alive and revokes the lease (waiting up to the timeout), so the key goes. */
  @Override
  public void close() {
    CloseableClient k = keepAlive;
    if (k != null) {
      k.close();
    }
    long lease = leaseId;
    if (lease == 0) {
      return;
    }
    try {
      client.getLeaseClient().revoke(lease).get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.info(
          "could not revoke the liveness lease of {} (it expires by itself): {}",
          nodeId,
          EtcdIo.rootMessage(e));
    }
  }

  /** Keep-alive answers need no action: a lost lease shows as a missing liveness key. */
  private static final class Quiet implements StreamObserver<LeaseKeepAliveResponse> {
    @Override
    public void onNext(LeaseKeepAliveResponse value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
