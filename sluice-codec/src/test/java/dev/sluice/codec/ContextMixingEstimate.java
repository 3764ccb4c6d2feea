package dev.sluice.codec;

/**
 * An estimate of what an order-N context-mixing text model with an arithmetic coder would cost: a
 * bitwise model with hashed order-0 to order-6 and word contexts, adaptive-rate probabilities and a
 * logistic mixer, primed on training text. {@link #cost} gives the ideal code length of one stream
 * in bits, from the primed state, and then restores that state (a journal undoes every update), so
 * each stream is costed on its own. Test code, for the measurement only.
 */
final class ContextMixingEstimate {
  private static final int BITS = 22;
  private static final int MASK = (1 << BITS) - 1;
  private static final int ORDERS = 9; // order 0..6, word, previous word + word
  private static final int INPUTS = ORDERS + 1;
  private static final int LIMIT = 60;
  private static final double[] STRETCH = new double[4096];

  static {
    for (int i = 0; i < 4096; i++) {
      double p = (i + 0.5) / 4096;
      STRETCH[i] = Math.log(p / (1 - p));
    }
  }

  private final char[][] prob = new char[ORDERS][1 << BITS];
  private final byte[][] count = new byte[ORDERS][1 << BITS];
  private final float[] weights = new float[256 * INPUTS];
  private final int[] ctxHash = new int[ORDERS];
  private final int[] idx = new int[ORDERS];
  private final double[] st = new double[INPUTS];

  private long history; // last 8 bytes
  private int wordHash;
  private int prevWordHash;

  private boolean journaling;
  private int[] journal = new int[1 << 16];
  private int journalSize;

  ContextMixingEstimate() {
    for (char[] t : prob) {
      java.util.Arrays.fill(t, (char) 32768);
    }
    java.util.Arrays.fill(weights, 0.3f);
  }

  /** Learns from {@code text}, continuing the current state. */
  void prime(byte[] text) {
    reset();
    for (byte b : text) {
      code(b & 0xFF);
    }
  }

  /** The ideal code length of {@code text} in bits from the primed state, which is kept. */
  double cost(byte[] text) {
    float[] w = weights.clone();
    reset();
    journaling = true;
    journalSize = 0;
    double bits = 0;
    for (byte b : text) {
      bits += code(b & 0xFF);
    }
    journaling = false;
    for (int i = journalSize - 3; i >= 0; i -= 3) {
      prob[journal[i]][journal[i + 1]] = (char) (journal[i + 2] >>> 8);
      count[journal[i]][journal[i + 1]] = (byte) journal[i + 2];
    }
    System.arraycopy(w, 0, weights, 0, w.length);
    return bits;
  }

  private void reset() {
    history = 0;
    wordHash = 0;
    prevWordHash = 0;
  }

  private double code(int c) {
    for (int o = 0; o <= 6; o++) {
      long h = o == 0 ? 0 : history & (o >= 8 ? -1L : (1L << (8 * o)) - 1);
      ctxHash[o] = hash(h * 0x9E3779B97F4A7C15L + o);
    }
    ctxHash[7] = hash(wordHash * 31L + 7_000_001);
    ctxHash[8] = hash((wordHash * 0x2545F4914F6CDD1DL) ^ prevWordHash + 8_000_003L);
    double bits = 0;
    int partial = 1;
    for (int i = 7; i >= 0; i--) {
      int bit = (c >>> i) & 1;
      double dot = 0;
      int ws = partial * INPUTS;
      for (int o = 0; o < ORDERS; o++) {
        idx[o] = (ctxHash[o] + partial * 0x2F0B3) & MASK;
        st[o] = STRETCH[prob[o][idx[o]] >>> 4];
        dot += st[o] * weights[ws + o];
      }
      st[ORDERS] = 0.3;
      dot += st[ORDERS] * weights[ws + ORDERS];
      double p = 1 / (1 + Math.exp(-dot));
      p = Math.min(Math.max(p, 1.0 / 4096), 1 - 1.0 / 4096);
      bits -= Math.log(bit == 1 ? p : 1 - p) / Math.log(2);
      double err = (bit - p) * 0.02;
      for (int o = 0; o < INPUTS; o++) {
        weights[ws + o] += (float) (err * st[o]);
      }
      for (int o = 0; o < ORDERS; o++) {
        update(o, idx[o], bit);
      }
      partial = partial << 1 | bit;
    }
    history = history << 8 | c;
    if (Character.isLetterOrDigit(c) || c >= 0x80) {
      wordHash = wordHash * 263 + c + 1;
    } else if (wordHash != 0) {
      prevWordHash = wordHash;
      wordHash = 0;
    }
    return bits;
  }

  private void update(int o, int i, int bit) {
    int p = prob[o][i];
    int n = count[o][i] & 0xFF;
    if (journaling) {
      if (journalSize + 3 > journal.length) {
        journal = java.util.Arrays.copyOf(journal, journal.length * 2);
      }
      journal[journalSize++] = o;
      journal[journalSize++] = i;
      journal[journalSize++] = p << 8 | n;
    }
    int target = bit == 1 ? 65535 : 0;
    p += (target - p) * 2 / (2 * n + 3);
    prob[o][i] = (char) Math.min(65535, Math.max(0, p));
    if (n < LIMIT) {
      count[o][i] = (byte) (n + 1);
    }
  }

  private static int hash(long h) {
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    return (int) h;
  }
}
