package dev.sluice.detect.format;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A weight file that cannot be read as the format it claims: names the file, the byte offset where
 * reading went wrong and what was wrong there. It is an {@link IOException} so that a reader's
 * signature stays {@code throws IOException}; callers that want to tell a corrupt file from a
 * failing disk catch this one first.
 */
public final class FormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;

  public FormatException(Path file, long offset, String problem) {
    super(file + " at byte " + offset + ": " + problem);
    this.file = file;
    this.offset = offset;
  }

  /** The file that could not be read. */
  public Path file() {
    return file;
  }

  /** The byte offset, from the start of {@link #file()}, where the problem was found. */
  public long offset() {
    return offset;
  }
}
