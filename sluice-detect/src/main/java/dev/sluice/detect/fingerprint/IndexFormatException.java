package dev.sluice.detect.fingerprint;

/** An index file that cannot be used, with the byte offset where the problem lies. */
public final class IndexFormatException extends Exception {

  private static final long serialVersionUID = 1L;

  private final long offset;

  IndexFormatException(long offset, String what) {
    super("byte " + offset + ": " + what);
    this.offset = offset;
  }

  /** Offset from the start of the file of the field or block that is wrong. */
  public long offset() {
    return offset;
  }
}
