package dev.sluice.codec;

/**
 * A codec segment the decoder cannot accept: corrupt, truncated, or written with another model. The
 * message names the byte offset inside the segment; the decoder that threw is unusable from then on
 * (its model state is no longer the encoder's).
 */
public final class CodecFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  private final long offset;

  public CodecFormatException(long offset, String message) {
    super("codec segment, byte " + offset + ": " + message);
    this.offset = offset;
  }

  /** The offset of the offending byte inside the segment. */
  public long offset() {
    return offset;
  }
}
