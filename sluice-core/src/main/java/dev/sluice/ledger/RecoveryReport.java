package dev.sluice.ledger;

/**
 * What {@link Ledger#open} found and did.
 *
 * @param created a new ledger was created (GENESIS written)
 * @param resumed the caller's resume position matched and history before it was not read
 * @param resumeRejected why the resume position was not used (then all entries were replayed), or
 *     null
 * @param entriesReplayed entries passed to the replay consumer
 * @param tornBytesCut bytes cut from the end of {@code entries.log} (0 when intact)
 * @param tornReason why the first cut record was invalid, or null
 * @param gapEntryIndex index of the GAP entry recording the cut, or -1
 * @param checkpointBytesCut bytes of a torn frame cut from {@code checkpoints.log}
 */
public record RecoveryReport(
    boolean created,
    boolean resumed,
    String resumeRejected,
    long entriesReplayed,
    long tornBytesCut,
    String tornReason,
    long gapEntryIndex,
    long checkpointBytesCut) {

  /** Whether open had to repair anything. */
  public boolean repaired() {
    return tornBytesCut > 0 || checkpointBytesCut > 0;
  }
}
