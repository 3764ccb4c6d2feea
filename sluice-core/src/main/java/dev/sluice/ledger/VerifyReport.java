package dev.sluice.ledger;

import java.util.Map;

/**
 * The result of {@link LedgerVerifier#verify}: the first problem found, if any, and what was
 * established up to it.
 *
 * @param problem the first problem, or null when the ledger verified
 * @param entries entries read and hashed (the tree size)
 * @param root the recomputed tree root over those entries
 * @param checkpoints checkpoints whose signatures verified
 * @param lastCheckpoint the newest checkpoint, or null
 * @param totals per budget node id, sorted by id
 */
public record VerifyReport(
    Problem problem,
    long entries,
    Hash root,
    int checkpoints,
    Checkpoint lastCheckpoint,
    Map<String, NodeTotals> totals) {

  /** Where and what. Offsets are bytes into {@code file}; absent numbers are -1. */
  public record Problem(
      String file, long entryIndex, long checkpoint, long offset, String message) {

    static Problem entry(long index, long offset, String message) {
      return new Problem(EntriesFile.NAME, index, -1, offset, message);
    }

    static Problem checkpoint(long number, long offset, String message) {
      return new Problem(CheckpointsFile.NAME, -1, number, offset, message);
    }

    static Problem file(String file, long offset, String message) {
      return new Problem(file, -1, -1, offset, message);
    }

    /** One line, e.g. {@code entries.log: entry 12 at byte 4711: CRC mismatch (...)}. */
    public String describe() {
      StringBuilder sb = new StringBuilder(file).append(':');
      if (entryIndex >= 0) {
        sb.append(" entry ").append(entryIndex);
      }
      if (checkpoint >= 0) {
        sb.append(" checkpoint ").append(checkpoint);
      }
      if (offset >= 0) {
        sb.append(" at byte ").append(offset);
      }
      return sb.append(": ").append(message).toString();
    }
  }

  public boolean ok() {
    return problem == null;
  }
}
