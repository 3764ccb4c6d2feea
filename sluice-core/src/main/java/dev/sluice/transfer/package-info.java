/**
 * Approved large transfers: what operators allowed above a zone's {@code max_transfer} (a tenant, a
 * destination, a size, until an expiry). In force in memory ({@link
 * dev.sluice.transfer.TransferAllowances}), kept across restarts in a file on the local store
 * ({@link dev.sluice.transfer.TransferFile}) or shared by every node of an etcd store ({@link
 * dev.sluice.transfer.FleetTransfers}); either way as {@link dev.sluice.transfer.TransferRecord}s
 * whose approvals each node re-checks.
 */
package dev.sluice.transfer;
