package dev.sluice.gateway.edge;

/**
 * A link stream that is not a canonical edge link version 1 stream: bad magic, an unknown or
 * misplaced frame type, a length out of range or not in its shortest form, a CRC mismatch (a
 * corrupted frame, or a missing, repeated or reordered one), a malformed payload, bytes after the
 * last frame, or a stream that ends too early. Names the absolute byte offset in the stream
 * (counting the 4 magic bytes) where the problem was found, and the offset of the frame it belongs
 * to (0 for the magic).
 */
public final class LinkFormatException extends Exception {

  private static final long serialVersionUID = 1L;

  private final LinkSide writer;
  private final long offset;
  private final long frameOffset;
  private final long frameIndex;
  private final String problem;

  LinkFormatException(
      LinkSide writer, long offset, long frameOffset, long frameIndex, String problem) {
    super(
        "edge link stream from the "
            + writer.label()
            + ", byte "
            + offset
            + (frameIndex >= 0
                ? " (frame " + frameIndex + " at byte " + frameOffset + ")"
                : frameOffset >= 4 ? " (frame at byte " + frameOffset + ")" : " (magic)")
            + ": "
            + problem);
    this.writer = writer;
    this.offset = offset;
    this.frameOffset = frameOffset;
    this.frameIndex = frameIndex;
    this.problem = problem;
  }

  /** The side that wrote the rejected stream. */
  public LinkSide writer() {
    return writer;
  }

  /** Absolute offset in the stream of the byte where the problem was found. */
  public long offset() {
    return offset;
  }

  /** Offset of the start of the frame the problem belongs to; 0 for the magic. */
  public long frameOffset() {
    return frameOffset;
  }

  /** Index (expected sequence number) of that frame; -1 for the magic. */
  public long frameIndex() {
    return frameIndex;
  }

  /** What was wrong, without the position. */
  public String problem() {
    return problem;
  }
}
