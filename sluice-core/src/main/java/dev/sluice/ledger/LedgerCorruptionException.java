package dev.sluice.ledger;

import java.io.IOException;

/**
 * The ledger's files are damaged in a way a crash cannot explain, so the ledger refuses to open.
 * The message names the file, the entry index (when known), the byte offset and what is wrong.
 */
public final class LedgerCorruptionException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final long entryIndex;
  private final long offset;

  /**
   * @param file the file name, e.g. {@code entries.log}
   * @param entryIndex the index of the damaged entry, or -1 when not about one entry
   * @param offset the byte offset in {@code file}
   * @param problem what is wrong
   */
  public LedgerCorruptionException(String file, long entryIndex, long offset, String problem) {
    super(
        file
            + (entryIndex >= 0 ? " entry " + entryIndex : "")
            + " at byte "
            + offset
            + ": "
            + problem);
    this.file = file;
    this.entryIndex = entryIndex;
    this.offset = offset;
  }

  public String file() {
    return file;
  }

  /** The damaged entry's index, or -1. */
  public long entryIndex() {
    return entryIndex;
  }

  public long offset() {
    return offset;
  }
}
