package dev.sluice.codec;

/**
 * The logistic tables every model uses, in integers so that encoder and decoder compute identical
 * probabilities on any platform: {@code squash(d) = 4096 / (1 + e^(-d/256))} for {@code d} in
 * [-2047, 2047], and {@code stretch}, its inverse, for 12-bit probabilities.
 */
final class Logistic {
  private Logistic() {}

  private static final int[] SQUASH = new int[4096];
  private static final short[] STRETCH = new short[4096];

  static {
    // Interpolated like lpaq1's squash, computed once with exact integer steps.
    int[] ts = {
      1, 2, 3, 6, 10, 16, 27, 45, 73, 120, 194, 310, 488, 747, 1101, 1546, 2047, 2549, 2994, 3348,
      3607, 3785, 3901, 3975, 4024, 4050, 4068, 4079, 4085, 4089, 4092, 4093, 4094
    };
    for (int d = -2047; d <= 2047; d++) {
      int w = d & 127;
      int i = (d >> 7) + 16;
      SQUASH[d + 2048] = (ts[i] * (128 - w) + ts[i + 1] * w + 64) >> 7;
    }
    SQUASH[0] = 1;
    int pi = 0;
    for (int x = -2047; x <= 2047; x++) {
      int v = squash(x);
      for (int j = pi; j <= v; j++) {
        STRETCH[j] = (short) x;
      }
      pi = v + 1;
    }
    for (int j = pi; j < 4096; j++) {
      STRETCH[j] = 2047;
    }
  }

  /** 12-bit probability of a 1 for a stretched value; d is clamped to [-2047, 2047]. */
  static int squash(int d) {
    if (d > 2047) {
      d = 2047;
    } else if (d < -2047) {
      d = -2047;
    }
    return SQUASH[d + 2048];
  }

  /** ln(p / (1 - p)) scaled by 256, for a 12-bit probability. */
  static int stretch(int p) {
    return STRETCH[p];
  }
}
