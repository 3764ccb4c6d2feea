package dev.sluice.config;

/** Where budget counters live. */
public enum StoreType {
  /** Embedded, one node: grants are ledger entries, counters rebuilt from the ledger at start. */
  LOCAL,
  /** Many nodes share one budget: counters are etcd keys, a grant is one etcd transaction. */
  ETCD
}
