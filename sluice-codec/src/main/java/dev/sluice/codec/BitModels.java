package dev.sluice.codec;

import java.util.Arrays;

/**
 * A set of adaptive bit probabilities for flags (is this envelope the same as the last one, does
 * the chunk end here): 16-bit probability and a count in one int, learning fast at first, then as
 * an average over the last {@code limit} observations.
 */
final class BitModels {
  /** 65536 / (n + 2), so updates need no division. */
  private static final int[] RECIPROCAL = new int[256];

  static {
    for (int n = 0; n < RECIPROCAL.length; n++) {
      RECIPROCAL[n] = 65536 / (n + 2);
    }
  }

  private final int[] t;
  private final int limit;

  BitModels(int size, int limit) {
    this.t = new int[size];
    this.limit = Math.min(limit, 255);
    reset();
  }

  void reset() {
    Arrays.fill(t, 32768 << 8);
  }

  int p(int i) {
    int p = t[i] >>> 20;
    return p < 1 ? 1 : Math.min(p, 4095);
  }

  /** Codes {@code bit} in context {@code i} and learns from it. */
  int code(BitCoding c, int i, int bit) {
    int y = c.code(bit, p(i));
    update(i, y);
    return y;
  }

  void update(int i, int y) {
    int v = t[i];
    int n = v & 0xFF;
    int p = v >>> 8;
    int target = y != 0 ? 0xFFFFFF : 0;
    p += (int) (((long) (target - p) * RECIPROCAL[n]) >> 16);
    if (n < limit) {
      n++;
    }
    t[i] = (p << 8) | n;
  }

  int[] table() {
    return t;
  }
}
