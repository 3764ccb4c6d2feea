package dev.sluice.cluster;

/**
 * This node's counters of its etcd store (for metrics).
 *
 * @param grantsIssued grants that completed {@code Granted}
 * @param conflictsRetried transaction attempts that found a key changed by another writer and were
 *     retried with fresh values
 * @param pendingSettlements settlements not yet durable in etcd, retried in the background
 * @param uncertainGrants grants whose outcome is not known yet (sent, then the call failed); 0 or 1
 * @param strandedSets escrow sets of earlier runs found unsettled at start
 * @param strandedBytes their granted minus sent bytes, still counted as spent
 * @param owedLedgerEntries entries of transactions committed in etcd that the ledger refused (it
 *     was not writable: a full disk), kept and appended once it is writable again
 */
public record EtcdStoreStats(
    long grantsIssued,
    long conflictsRetried,
    int pendingSettlements,
    int uncertainGrants,
    int strandedSets,
    long strandedBytes,
    int owedLedgerEntries) {}
