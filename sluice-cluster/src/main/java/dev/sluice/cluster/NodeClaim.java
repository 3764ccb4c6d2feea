package dev.sluice.cluster;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims this node id at start by making its liveness key ({@link Liveness}) this run's, before
 * anything touches the node id's other keys.
 *
 * <p>One node id, one running process: two running gateways with one node id would strand each
 * other's escrow. So if another process holds the liveness key, the claim waits up to {@code
 * grant_ttl} + {@link #CLAIM_MARGIN} (at least the operation timeout) for its lease to expire,
 * which it does within {@code grant_ttl} after that process was killed, and refuses to open the
 * store if it does not (it returns sooner when the lease is seen renewed twice, or has more time to
 * live than is left to wait). A store closed normally revokes its lease, so a restart after a clean
 * stop does not wait.
 */
final class NodeClaim {

  // Logs as the store: operators find its lines under one name.
  private static final Logger log = LoggerFactory.getLogger(EtcdBudgetStore.class);

  /** Longest wait at start for the lease of an earlier run of this node id, beyond its TTL. */
  static final Duration CLAIM_MARGIN = Duration.ofSeconds(2);

  private final String name;
  private final String nodeId;
  private final EtcdStoreOptions options;
  private final Liveness liveness;
  private final StartWaits waits;

  NodeClaim(
      String name, String nodeId, EtcdStoreOptions options, Liveness liveness, StartWaits waits) {
    this.name = name;
    this.nodeId = nodeId;
    this.options = options;
    this.liveness = liveness;
    this.waits = waits;
  }

  /**
   * Makes the liveness key this run's, waiting for an earlier holder's lease as described above.
   *
   * @throws IOException if etcd cannot be asked, or the node id is in use by a live node (with its
   *     {@code started_at})
   */
  void claim() throws IOException {
    Duration maxWait = options.grantTtl().plus(max(CLAIM_MARGIN, options.operationTimeout()));
    String what = "announce node " + nodeId;
    Liveness.Holder h = waits.await(liveness.claim(0), what);
    for (int i = 0; h != null && h.leaseId() <= 0 && i < 3; i++) {
      if (h.leaseId() == 0) {
        log.warn(
            "{}: liveness key {} has no lease (no running node writes one so): taking it over",
            name,
            liveness.key());
      }
      // A key without a lease is taken over where it is; one deleted meanwhile is claimed anew.
      h = waits.await(liveness.claim(h.leaseId() == 0 ? h.modRevision() : 0), what);
    }
    if (h == null) {
      return;
    }
    if (h.leaseId() <= 0) {
      throw new IOException(
          name
              + ": liveness key "
              + liveness.key()
              + " keeps changing: is another process starting"
              + " with node_id "
              + nodeId
              + "?");
    }
    log.warn(
        "{}: node id {} is held by a node started at {} (liveness key {}): waiting up to {} s for"
            + " its lease to expire, as it does within grant_ttl after that node was killed",
        name,
        nodeId,
        startedAt(h),
        liveness.key(),
        maxWait.toMillis() / 1000.0);
    Liveness.Release r =
        waits.awaitFor(
            liveness.awaitRelease(h, maxWait),
            maxWait.plus(options.operationTimeout().multipliedBy(2)),
            "wait for the liveness lease of node " + nodeId);
    double waited = r.waitedMillis() / 1000.0;
    if (r.released()) {
      log.info("{}: the earlier lease of node {} ended after {} s", name, nodeId, waited);
      Liveness.Holder again = waits.await(liveness.claim(0), what);
      if (again == null) {
        return;
      }
      h = again;
      r =
          new Liveness.Release(
              false, "another process took the key as soon as it was free", r.waitedMillis());
    }
    throw new IOException(
        String.format(
            "etcd store at %s (prefix %s): node id %s is in use by a live node: its liveness key"
                + " %s (started_at %s) is held under lease %d, and %s (waited %.1f s of at most"
                + " %.1f s). Every gateway node of a site needs its own node_id; if that node was"
                + " just killed, its lease expires within grant_ttl (%.1f s): start again then",
            options.endpoints(),
            options.prefix(),
            nodeId,
            liveness.key(),
            startedAt(h),
            h.leaseId(),
            r.why(),
            waited,
            maxWait.toMillis() / 1000.0,
            options.grantTtl().toMillis() / 1000.0));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static String startedAt(Liveness.Holder h) {
    return h.startedAt() < 0 ? "unknown" : Instant.ofEpochMilli(h.startedAt()).toString();
  }
}
