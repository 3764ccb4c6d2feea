package dev.sluice.codec;

/**
 * The carry-less binary arithmetic coder of lpaq1 (32-bit range, 12-bit probabilities). The code of
 * a block ends with one byte ({@link #finish}); the decoder reads zeros past the end of the block.
 * With {@code out == null} it codes nothing (replaying).
 */
final class ArithmeticEncoder extends BitCoding {
  private ByteSink out;
  private int x1;
  private int x2 = -1;

  /** Where coded bytes go. */
  interface ByteSink {
    void put(int b);
  }

  ArithmeticEncoder(ByteSink out) {
    this.out = out;
  }

  void start(ByteSink sink) {
    this.out = sink;
    x1 = 0;
    x2 = -1;
  }

  @Override
  int code(int bit, int p1) {
    if (out == null) {
      return bit;
    }
    int xmid = x1 + (int) (((x2 - x1) & 0xFFFF_FFFFL) >>> 12) * p1;
    if (bit != 0) {
      x2 = xmid;
    } else {
      x1 = xmid + 1;
    }
    while (((x1 ^ x2) & 0xFF00_0000) == 0) {
      out.put(x2 >>> 24);
      x1 <<= 8;
      x2 = (x2 << 8) | 255;
    }
    return bit;
  }

  @Override
  boolean decoding() {
    return false;
  }

  /**
   * Ends the block with the one byte that, followed by zeros, lies in the final interval: x1's top
   * byte rounded up (x2's top byte is always greater than x1's, so it fits).
   */
  void finish() {
    if (out != null) {
      long v = (x1 & 0xFFFF_FFFFL) + 0xFF_FFFFL;
      out.put((int) (v >>> 24) & 0xFF);
    }
  }
}
