package dev.sluice.config;

/** Where budget counters live. Only the embedded store exists so far; {@code etcd} comes later. */
public enum StoreType {
  /** Embedded, one node: grants are ledger entries, counters rebuilt from the ledger at start. */
  LOCAL
}
