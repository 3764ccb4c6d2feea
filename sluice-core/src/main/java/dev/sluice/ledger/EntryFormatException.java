package dev.sluice.ledger;

import java.io.IOException;

/**
 * An entry payload that is not a canonical {@link EntryCodec} encoding. The message says what is
 * wrong; {@link #offset()} is the byte offset inside the payload where decoding stopped.
 */
public final class EntryFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int offset;

  public EntryFormatException(int offset, String problem) {
    super(problem + " (at payload byte " + offset + ")");
    this.offset = offset;
  }

  /** Byte offset inside the payload where the problem was found. */
  public int offset() {
    return offset;
  }
}
