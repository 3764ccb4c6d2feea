package dev.sluice.codec;

/**
 * Adaptive probabilities of binary decisions in a fixed number of contexts: a 24-bit probability
 * and an 8-bit count in one int, learning fast at first (the average of what was seen), then as an
 * average over about the last {@link #LIMIT} observations. The 24 bits let a decision that is
 * almost always the same cost almost nothing: 4095/4096 at 12 bits, 0.0004 bits each. Integer
 * arithmetic only.
 */
final class Probs {
  static final int LIMIT = 127;

  /** 2^24 / (n + 1.5), so updates need no division. */
  private static final int[] RECIPROCAL = new int[LIMIT + 1];

  static {
    for (int n = 0; n <= LIMIT; n++) {
      RECIPROCAL[n] = (int) ((1L << 24) * 2 / (2 * n + 3));
    }
  }

  final int[] t;

  Probs(int contexts) {
    t = new int[contexts];
    java.util.Arrays.fill(t, 0x80_0000 << 8);
  }

  /** The probability of a 1 in context {@code i}, 1..4095. */
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
    int target = y != 0 ? 0xFF_FFFF : 0;
    p += (int) (((long) (target - p) * RECIPROCAL[n]) >> 24);
    if (n < LIMIT) {
      n++;
    }
    t[i] = (p << 8) | n;
  }

  /**
   * Codes the low {@code bits} bits of {@code v}, most significant first, as a binary tree whose
   * nodes are contexts {@code base + 1 .. base + 2^bits - 1}.
   */
  int tree(BitCoding c, int base, int bits, int v) {
    int node = 1;
    for (int k = bits - 1; k >= 0; k--) {
      int y = code(c, base + node, (v >>> k) & 1);
      node = node << 1 | y;
    }
    return node - (1 << bits);
  }

  void copyFrom(Probs o) {
    System.arraycopy(o.t, 0, t, 0, t.length);
  }
}
