package dev.sluice.gateway.edge;

/** Exact integer splits of a byte count, for charging the bytes one write shares. */
final class Split {

  private Split() {}

  /**
   * {@code total} split in proportion to {@code weights} (each &ge; 0, not all 0 unless total is
   * 0), largest remainder first, ties to the lower index: the parts add up to {@code total}
   * exactly. Overflow-checked.
   */
  static long[] proportional(long total, long[] weights) {
    long[] out = new long[weights.length];
    if (weights.length == 0 || total == 0) {
      return out;
    }
    long sum = 0;
    for (long w : weights) {
      if (w < 0) {
        throw new IllegalArgumentException("negative weight " + w);
      }
      sum = Math.addExact(sum, w);
    }
    if (sum == 0) {
      throw new IllegalArgumentException("all weights 0 for " + total + " bytes");
    }
    long given = 0;
    long[] rem = new long[weights.length];
    for (int i = 0; i < weights.length; i++) {
      long q = Math.multiplyExact(total, weights[i]);
      out[i] = q / sum;
      rem[i] = q % sum;
      given = Math.addExact(given, out[i]);
    }
    for (long left = total - given; left > 0; left--) {
      int best = -1;
      for (int i = 0; i < rem.length; i++) {
        if (rem[i] >= 0 && (best < 0 || rem[i] > rem[best])) {
          best = i;
        }
      }
      out[best]++;
      rem[best] = -1;
    }
    return out;
  }
}
