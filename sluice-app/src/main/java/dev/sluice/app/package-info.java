/**
 * One running Sluice node, wired in one place: configuration, budget tree, ledger and budget store
 * (local, or shared in etcd), escrow, halt switches, gateway listeners, admin server. Owns the
 * start order (every failure loud and early, the start ledgered before any listener accepts) and
 * the drain on close (in-flight streams finish, unspent escrow returned, a final checkpoint).
 */
package dev.sluice.app;
