package dev.sluice.detect.tensor;

import dev.sluice.detect.tensor.ExponentShape.Reading;

/**
 * The span of a float block that holds the weights: the block less the {@link
 * TensorDetector#MIN_BYTES}-sized pieces at either end whose high bytes, read with the block's
 * layout, are mostly implausible (a header, text or padding next to the tensor bytes).
 */
final class Trim {
  /** Fraction of a piece's elements that must be plausible (or zero) for it to be kept. */
  static final double KEEP = 0.9;

  private Trim() {}

  /** {@code {from, to}} relative to {@code off}, or null when no piece is kept. */
  static int[] plausibleSpan(byte[] b, int off, int len, long position, FloatLayout f) {
    int piece = TensorDetector.MIN_BYTES;
    int pieces = (len + piece - 1) / piece;
    int first = 0;
    while (first < pieces && !plausible(b, off, len, position, f, first * piece, piece)) {
      first++;
    }
    if (first == pieces) {
      return null;
    }
    int last = pieces - 1;
    while (last > first && !plausible(b, off, len, position, f, last * piece, piece)) {
      last--;
    }
    return new int[] {first * piece, Math.min(len, (last + 1) * piece)};
  }

  private static boolean plausible(
      byte[] b, int off, int len, long position, FloatLayout f, int from, int size) {
    int to = Math.min(len, from + size);
    int w = f.width();
    Reading r =
        f.dtype() == dev.sluice.detect.format.DType.F16 ? Reading.SIGN_EXP5 : Reading.SIGN_EXP7;
    long at = position + from;
    int i = off + from + f.firstElement(at) + w - 1;
    int n = 0;
    int ok = 0;
    for (; i < off + to; i += w) {
      int c = r.classOf(b[i] & 0xff);
      n++;
      if (c == 0 || r.plausibleClass(c)) {
        ok++;
      }
    }
    return n > 0 && ok >= KEEP * n;
  }
}
