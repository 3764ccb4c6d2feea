package dev.sluice.store;

import java.io.IOException;
import java.nio.file.Path;

/** A budget snapshot file exists but cannot be used; names the file and byte offset. */
public final class SnapshotException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long offset;

  public SnapshotException(Path file, long offset, String message) {
    super(file + ": byte offset " + offset + ": " + message);
    this.offset = offset;
  }

  public long offset() {
    return offset;
  }
}
