/**
 * The budget store of a site with many gateway nodes, on etcd: the spent counters are etcd keys and
 * a grant is one compare-and-swap transaction over every key on the path. Split by job: claiming
 * the node id, recovery at start, grants, uncertain grants, settlements, the background tick. Also
 * the reconciliation of the nodes' ledgers against the etcd counters ({@code sluice ledger
 * reconcile}).
 */
package dev.sluice.cluster;
