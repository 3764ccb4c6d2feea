/**
 * The tamper-evident ledger: an append-only log of entries ({@code entries.log}) hashed into an RFC
 * 6962 Merkle tree, with Ed25519-signed C2SP checkpoints ({@code checkpoints.log}), group commit,
 * crash recovery (a torn tail is cut and recorded), inclusion and consistency proofs, and the
 * offline reader and verifier. The owners of the on-disk formats ({@code EntriesFile}, {@code
 * CheckpointsFile}) state the durability contract.
 */
package dev.sluice.ledger;
