/**
 * Change control of a running node's configuration: which differences between the running and a new
 * configuration loosen anything ({@link dev.sluice.config.change.ConfigDiff}), which cannot be
 * applied without a restart, and whether a change carries enough valid approvals from distinct
 * operators ({@link dev.sluice.config.change.Approvals}). The approval file format is owned by
 * {@link dev.sluice.ledger.ChangeApproval}, because {@code ledger verify} re-checks it.
 */
package dev.sluice.config.change;
