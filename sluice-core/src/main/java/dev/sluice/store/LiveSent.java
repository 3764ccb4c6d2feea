package dev.sluice.store;

/**
 * Bytes a gateway node has charged from escrow it still holds, per budget node: the part of "sent"
 * the store does not know yet. {@link BudgetReport} adds it to the store's figures; the node's
 * escrow ({@code dev.sluice.escrow.Escrow}) provides it. An interface here, so that the store
 * package does not depend on the escrow package that depends on it.
 */
@FunctionalInterface
public interface LiveSent {

  /** Bytes charged from unsettled escrow on paths through the node with tree index nodeIndex. */
  long liveSent(int nodeIndex);
}
