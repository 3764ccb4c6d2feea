/**
 * Benchmarks and load tools: JMH benchmarks of the hot paths (escrow charge, ledger append, codec),
 * and the clients, origins and reports of the scripts under {@code bench/} (the peer comparison,
 * the etcd cluster, the codec on held-out streams). Measurement only; nothing here ships.
 */
package dev.sluice.bench;
