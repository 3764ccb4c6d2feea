package dev.sluice.ledger;

/**
 * What the ledger says about one budget node, summed over all GRANT, SETTLE and STRANDED entries
 * that name it.
 *
 * @param granted bytes granted as escrow (sum of GRANT.amount)
 * @param returned unspent escrow given back (sum of SETTLE.returned)
 * @param sent bytes written to the outside (SETTLE.sent plus STRANDED.sent)
 * @param stranded escrow lost in crashes, still counted as spent (sum of STRANDED.stranded)
 */
public record NodeTotals(long granted, long returned, long sent, long stranded) {

  /** Bytes charged against the budget: granted minus returned. */
  public long spent() {
    return granted - returned;
  }
}
