package dev.sluice.codec;

import java.util.Arrays;

/**
 * Binary decisions made by a stream's models, kept with their probabilities instead of being coded
 * at once, and what they will cost (ideal code length). A link codes the decisions of many streams
 * with one arithmetic coder per frame; keeping them lets it size the frame and each stream's share
 * before anything is committed, and drop a stream from a frame without rewinding its models.
 */
final class DecisionLog extends BitCoding {
  /** -log2(p / 4096) in 1/256 bits, for p = 0..4096 (0 and 4096 are never used). */
  private static final int[] COST = new int[4097];

  static {
    for (int p = 1; p < 4096; p++) {
      COST[p] = (int) Math.round(-Math.log(p / 4096.0) / Math.log(2) * 256);
    }
  }

  private static final int SMALL = 1024;

  private int[] d = new int[SMALL];
  private int n;
  private long cost;
  private int costed;

  /** Development aid: cost per category of {@link BitCoding#mark}, when non-null. */
  static long[] byCategory;

  private int category;

  @Override
  void mark(int c) {
    category = c;
  }

  @Override
  int code(int bit, int p1) {
    if (n == d.length) {
      d = Arrays.copyOf(d, n * 2);
    }
    d[n++] = p1 << 1 | bit;
    if (byCategory != null) {
      byCategory[category] += COST[bit != 0 ? p1 : 4096 - p1];
    }
    return bit;
  }

  @Override
  boolean decoding() {
    return false;
  }

  /** Codes every decision, in order, with {@code c}. */
  void replay(BitCoding c) {
    for (int i = 0; i < n; i++) {
      int x = d[i];
      c.code(x & 1, x >>> 1);
    }
  }

  /** What the decisions cost, in 1/256 bits (summed once, when first asked). */
  long cost() {
    if (costed < n) {
      long c = cost;
      for (int i = costed; i < n; i++) {
        int x = d[i];
        int p1 = x >>> 1;
        c += COST[(x & 1) != 0 ? p1 : 4096 - p1];
      }
      cost = c;
      costed = n;
    }
    return cost;
  }

  int size() {
    return n;
  }

  /** Forgets the decisions (and gives back a large array). */
  void clear() {
    n = 0;
    cost = 0;
    costed = 0;
    if (d.length > 4 * SMALL) {
      d = new int[SMALL];
    }
  }

  /** The cost of one decision, in 1/256 bits. */
  static int cost(int bit, int p1) {
    return COST[bit != 0 ? p1 : 4096 - p1];
  }
}
