package dev.sluice.codec;

/**
 * A codec segment or frame the decoder cannot accept: corrupt, truncated, or written with another
 * model. The message names the byte offset inside the segment or frame payload; the decoder that
 * threw is unusable from then on (its model state is no longer the encoder's).
 */
public final class CodecFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  private final long offset;
  private final String detail;

  public CodecFormatException(long offset, String detail) {
    super("codec segment, byte " + offset + ": " + detail);
    this.offset = offset;
    this.detail = detail;
  }

  /** The offset of the offending byte inside the segment (-1 when a model found it: unknown). */
  public long offset() {
    return offset;
  }

  /** What was wrong, without the offset. */
  public String detail() {
    return detail;
  }
}
