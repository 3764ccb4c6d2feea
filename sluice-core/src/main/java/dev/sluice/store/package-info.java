/**
 * Budget stores, the authority over spent budget: a store grants escrow by durably adding the
 * granted bytes to the spent counters of every window of every node on the path before the grant
 * completes, so the grants of all gateway nodes never exceed any cap. Holds the store interface,
 * the embedded single-node store (durable through the ledger, with snapshots), the budget entries
 * and arithmetic both stores share, and the report of where every limit stands.
 */
package dev.sluice.store;
