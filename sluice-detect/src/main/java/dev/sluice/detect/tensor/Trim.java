package dev.sluice.detect.tensor;

import dev.sluice.detect.format.DType;
import dev.sluice.detect.tensor.ExponentShape.Reading;

/**
 * The span of the weights around a float block, to {@link #PIECE} bytes: the block's pieces at
 * either end are dropped, and the pieces of the neighbouring bytes added, according as their high
 * bytes, read with the block's layout, look like weights on their own ({@link
 * ExponentShape#weightLike}). So a tensor that starts in the middle of a block that is mostly text
 * is reported from the piece where it starts, not from the next block.
 */
final class Trim {
  /** The granularity of a region. */
  static final int PIECE = TensorDetector.MIN_BYTES;

  private Trim() {}

  /**
   * {@code {from, to}} in {@code b} (absolute indices) of the weights around the float block {@code
   * b[blockFrom, blockTo)}, never outside {@code [lowest, highest)}; null when no piece of the
   * block looks like weights. {@code base} is the index in {@code b} of the scanned range's first
   * byte, {@code position} that byte's stream position.
   */
  static int[] span(
      byte[] b,
      int base,
      long position,
      int blockFrom,
      int blockTo,
      int lowest,
      int highest,
      FloatLayout f) {
    int from = blockFrom;
    while (from < blockTo && !piece(b, base, position, from, Math.min(blockTo, from + PIECE), f)) {
      from += PIECE;
    }
    if (from >= blockTo) {
      return null;
    }
    int to = blockTo;
    while (to - PIECE > from && !piece(b, base, position, to - PIECE, to, f)) {
      to -= PIECE;
    }
    if (from == blockFrom) {
      while (from - PIECE >= lowest && piece(b, base, position, from - PIECE, from, f)) {
        from -= PIECE;
      }
    }
    if (to == blockTo) {
      while (to + PIECE <= highest && piece(b, base, position, to, to + PIECE, f)) {
        to += PIECE;
      }
    }
    return new int[] {from, to};
  }

  /** True when the high bytes of {@code b[from, to)} look like weights under layout {@code f}. */
  static boolean piece(byte[] b, int base, long position, int from, int to, FloatLayout f) {
    int w = f.width();
    // two tables, for even and odd elements: weights' high bytes repeat a few values, and one
    // table would make each increment wait on the one before to the same count
    int[] high = new int[256];
    int[] odd = new int[256];
    long at = position + (from - base);
    int i = from + f.firstElement(at) + w - 1;
    for (; i + w < to; i += 2 * w) {
      high[b[i] & 0xff]++;
      odd[b[i + w] & 0xff]++;
    }
    if (i < to) {
      high[b[i] & 0xff]++;
    }
    for (int v = 0; v < 256; v++) {
      high[v] += odd[v];
    }
    Reading r = f.dtype() == DType.F16 ? Reading.SIGN_EXP5 : Reading.SIGN_EXP7;
    return ExponentShape.of(high, null, r).weightLike(r);
  }
}
