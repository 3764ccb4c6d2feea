package dev.sluice.cluster;

/**
 * One gateway node's escrow as the etcd store records it (for {@code sluice status} and metrics).
 *
 * @param nodeId the gateway node
 * @param live whether its liveness key exists (its lease is being kept alive)
 * @param openSets escrow sets granted and not yet settled
 * @param heldBytes granted minus reported sent over its open sets: escrow it may still spend
 * @param expiredSets open sets whose expiry has passed: stranded by a dead or partitioned node (or
 *     not yet settled by a live one); their bytes stay counted as spent
 * @param expiredBytes granted minus reported sent over those sets
 */
public record NodeEscrow(
    String nodeId,
    boolean live,
    int openSets,
    long heldBytes,
    int expiredSets,
    long expiredBytes) {}
