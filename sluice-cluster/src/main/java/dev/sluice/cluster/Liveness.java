package dev.sluice.cluster;

import dev.sluice.time.Clock;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's liveness key ({@code {prefix}/v1/nodes/{node}}) under an etcd lease of TTL {@code
 * grant_ttl}, kept alive while the node runs. A lease lost while etcd was unreachable shows as the
 * key missing from the cache; {@link #renewIfMissing} then takes a new lease. Called from the store
 * thread only (except {@link #close}).
 */
final class Liveness implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Liveness.class);

  private final Client client;
  private final KeyCache cache;
  private final String key;
  private final String nodeId;
  private final Clock clock;
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
      Duration ttl,
      Duration timeout) {
    this.client = client;
    this.cache = cache;
    this.key = key;
    this.nodeId = nodeId;
    this.clock = clock;
    this.ttlSeconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
    this.timeoutNanos = timeout.toNanos();
  }

  /** Takes a fresh lease, puts the key under it and keeps the lease alive. */
  CompletableFuture<Void> renew() {
    CloseableClient old = keepAlive;
    if (old != null) {
      old.close();
      keepAlive = null;
    }
    byte[] value =
        ("{\"node_id\":\"" + nodeId + "\",\"started_at\":" + clock.millis() + "}")
            .getBytes(StandardCharsets.UTF_8);
    return client
        .getLeaseClient()
        .grant(ttlSeconds)
        .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
        .thenCompose(
            g -> {
              leaseId = g.getID();
              PutOption withLease = PutOption.builder().withLeaseId(g.getID()).build();
              return client
                  .getKVClient()
                  .put(EtcdIo.bytes(key), ByteSequence.from(value), withLease)
                  .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
                  .thenAccept(
                      p -> {
                        cache.apply(key, new Versioned(value, p.getHeader().getRevision(), 1));
                        keepAlive = client.getLeaseClient().keepAlive(g.getID(), new Quiet());
                      });
            });
  }

  /** Renews in the background if the key is gone and no renewal is under way. */
  void renewIfMissing() {
    if (renewing || cache.get(key).exists()) {
      return;
    }
    renewing = true;
    renew().whenComplete((v, e) -> renewing = false);
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
      log.info("could not revoke the liveness lease of {} (it expires by itself): {}", nodeId, e);
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
