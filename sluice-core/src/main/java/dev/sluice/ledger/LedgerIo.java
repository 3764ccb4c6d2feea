package dev.sluice.ledger;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens the ledger's files. The hook through which tests inject faults: an implementation may fail
 * any operation with an {@link IOException} or simulate a crash that keeps only what was forced.
 * Must be thread-safe.
 */
@FunctionalInterface
public interface LedgerIo {

  /** How a file is opened. */
  enum Mode {
    /** Existing file, read only. */
    READ,
    /** Existing file, read and write. */
    READ_WRITE,
    /** New file, read and write; fails if it exists. */
    CREATE_NEW
  }

  IoChannel open(Path path, Mode mode) throws IOException;

  /** Plain {@link java.nio.channels.FileChannel}s. */
  static LedgerIo standard() {
    return FileIo.INSTANCE;
  }
}
