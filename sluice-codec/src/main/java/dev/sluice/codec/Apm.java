package dev.sluice.codec;

/**
 * An adaptive probability map (lpaq's APM): refines a probability in a context by interpolating
 * between 33 buckets over its stretched value, and trains the nearer bucket.
 */
final class Apm {
  final int[] t;
  private final int rate;
  private int index;

  Apm(int contexts, int rate) {
    this.t = new int[contexts * 33];
    this.rate = rate;
    for (int i = 0; i < contexts; i++) {
      for (int j = 0; j < 33; j++) {
        t[i * 33 + j] = Logistic.squash((j - 16) * 128) * 16;
      }
    }
  }

  /** An APM over an existing table (shared, read-only unless {@link #update} is called). */
  Apm(int[] table, int rate) {
    this.t = table;
    this.rate = rate;
  }

  int refine(int pr, int cx) {
    int s = Logistic.stretch(pr) + 2048;
    int lo = s >> 7;
    int w = s & 127;
    int i = cx * 33 + lo;
    index = i + (w >> 6);
    return (t[i] * (128 - w) + t[i + 1] * w) >> 11;
  }

  void update(int y) {
    int g = (y << 16) + (y << rate) - y - y;
    t[index] += (g - t[index]) >> rate;
  }
}
