package dev.sluice.detect.tensor;

import dev.sluice.detect.format.DType;

/**
 * The float egress an inference site sends on purpose, told apart from weights.
 *
 * <ul>
 *   <li><b>Audio</b> (PCM as float samples): consecutive samples are strongly correlated (the
 *       autocorrelation, mean removed, at lag 1, or lag 2 for interleaved stereo, is at least
 *       {@link #AUDIO_CORRELATION}); consecutive weights are not. (Sign agreement alone is not
 *       enough: synthesized fricatives flip sign often.) Integer PCM (s16le) never reaches this
 *       test: its high bytes are not float-like.
 *   <li><b>Embeddings</b> (fp32 vectors of a fixed dimension, each normalized to unit length): at
 *       some dimension {@code d} of {@link #DIMENSIONS} and some phase, every whole run of {@code
 *       d} consecutive floats has a squared norm within {@link #UNIT_TOLERANCE} of 1 (at least two
 *       whole runs), and the cut runs at either end at most 1. Weights drawn with a variance near
 *       {@code 1/d} have block norms near 1 too, but not to within 2e-5 twice in a row.
 * </ul>
 *
 * Both are properties an exfiltrator can give weights on purpose (sort or smooth to correlate,
 * normalize rows and send the norms apart): such disguised weights are for the fingerprint index to
 * catch, when the bytes are unchanged, and are otherwise out of this detector's reach.
 */
final class LegitimateFloats {
  /** The embedding dimensions tried on unframed bytes. */
  static final int[] DIMENSIONS = {128, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096};

  /** How far from 1 the squared norm of a normalized fp32 vector may be. */
  static final double UNIT_TOLERANCE = 2e-5;

  /**
   * Correlation of consecutive elements (lag 1 or 2) at or above which floats are audio: speech
   * sampled at 16 to 48 kHz measures 0.8 to 0.95 here, weights within a few hundredths of 0.
   */
  static final double AUDIO_CORRELATION = 0.3;

  /** Elements the correlation looks at, about (spread over the block). */
  private static final int SAMPLES = 2048;

  /** fp32 blocks are sampled in the first quarter of each slot of this many bytes. */
  private static final int SLOT = 4096;

  /**
   * How far the sampled mean square of a block may be from {@code 1/d} for the dimension {@code d}
   * to be searched (the sample's own error is a few percent).
   */
  static final double SAMPLED_ENERGY_SLACK = 0.3;

  /** Prefix sums of squares, reused (one instance per detector). */
  private double[] sums = new double[1];

  /** The mean square of the elements {@link #audioLike} sampled. */
  private double sampledMeanSquare;

  /** True when {@code b[off, off+len)}, read with layout {@code f}, is audio or embeddings. */
  boolean test(byte[] b, int off, int len, long position, FloatLayout f) {
    return audioLike(b, off, len, position, f)
        || (f.dtype() == DType.F32 && unitNormRows(b, off, len, position, f));
  }

  boolean audioLike(byte[] b, int off, int len, long position, FloatLayout f) {
    int w = f.width();
    int end = off + len - 3 * w + 1; // the last element read is i + 2w, whole
    int first = off + f.firstElement(position);
    // pairs sampled across the whole block: speech changes from one syllable to the next
    int stride = w * Math.max(1, (end - first) / w / SAMPLES);
    double sum = 0;
    double energy = 0;
    double lag1 = 0;
    double lag2 = 0;
    int n = 0;
    if (f.dtype() == DType.F32 && end - first >= 2 * SLOT) {
      // the first quarter of every 4 KiB (what the detector's histogram has just read, so still in
      // the cache), every other element: as many samples, spread over the block as before.
      // Even and odd samples are summed apart (half as long a chain of dependent adds)
      double sumOdd = 0;
      double energyOdd = 0;
      double lag1Odd = 0;
      double lag2Odd = 0;
      for (int slot = first; slot < end; slot += SLOT) {
        int slotEnd = Math.min(end, slot + SLOT / 4);
        for (int i = slot; i + 8 < slotEnd; i += 16, n += 2) {
          double x = Float.intBitsToFloat((int) FloatLayout.INT_LE.get(b, i));
          double y = Float.intBitsToFloat((int) FloatLayout.INT_LE.get(b, i + 8));
          sum += x;
          energy += x * x;
          lag1 += x * Float.intBitsToFloat((int) FloatLayout.INT_LE.get(b, i + 4));
          lag2 += x * y;
          sumOdd += y;
          energyOdd += y * y;
          lag1Odd += y * Float.intBitsToFloat((int) FloatLayout.INT_LE.get(b, i + 12));
          lag2Odd += y * Float.intBitsToFloat((int) FloatLayout.INT_LE.get(b, i + 16));
        }
      }
      sum += sumOdd;
      energy += energyOdd;
      lag1 += lag1Odd;
      lag2 += lag2Odd;
    } else {
      for (int i = first; i < end; i += stride, n++) {
        double x = f.valueAt(b, i);
        sum += x;
        energy += x * x;
        lag1 += x * f.valueAt(b, i + w);
        lag2 += x * f.valueAt(b, i + 2 * w);
      }
    }
    if (n < 64) {
      sampledMeanSquare = Double.NaN;
      return false;
    }
    sampledMeanSquare = energy / n;
    double mean = sum / n;
    double variance = energy / n - mean * mean;
    double covariance = Math.max(lag1, lag2) / n - mean * mean;
    return variance > 0 && covariance >= AUDIO_CORRELATION * variance;
  }

  /**
   * True when the fp32 elements are unit-norm vectors of one of {@link #DIMENSIONS}. First the
   * total: {@code n} elements of unit vectors of dimension {@code d} sum to within 2 of {@code n/d}
   * (the cut vectors at the ends add at most 1 each); only dimensions that pass are searched.
   * Before that, without decoding the block, the mean square {@link #audioLike} sampled must be
   * near {@code 1/d} for some {@code d}: most weight blocks stop there.
   */
  boolean unitNormRows(byte[] b, int off, int len, long position, FloatLayout f) {
    int first = off + f.firstElement(position);
    int n = (off + len - first) / 4;
    if (n < 2 * DIMENSIONS[0]) {
      return n >= 64 && isUnit(squares(b, first, n), 0, n);
    }
    for (int d : DIMENSIONS) {
      if (2 * d > n || !(Math.abs(sampledMeanSquare * d - 1) <= SAMPLED_ENERGY_SLACK)) {
        continue;
      }
      // first the head of the block (at least three whole vectors), then, for a phase that
      // holds there, the whole block
      int m = Math.min(n, 4 * d);
      // a phase needs a unit vector at p < d and the next one: first the sums up to 2d (the one
      // at p), and the rest of the head only if some phase has it
      double[] s = squares(b, first, 2 * d);
      if (!anyUnit(s, d)) {
        continue;
      }
      s = moreSquares(b, first, 2 * d, m);
      double whole = (double) m / d;
      if (s[m] < Math.floor(whole) - 1 - UNIT_TOLERANCE * whole || s[m] > Math.ceil(whole) + 1) {
        continue;
      }
      for (int p = 0; p < d && p + 2 * d <= m; p++) {
        if (isUnit(s, p, p + d) && isUnit(s, p + d, p + 2 * d) && rowsFrom(s, p, d, m)) {
          return m == n || rowsFrom(squares(b, first, n), p, d, n);
        }
      }
    }
    return false;
  }

  /** True when the single vector {@code b[first, first + 4n)} has unit norm, or is a cut one. */
  boolean unitOrCut(byte[] b, int first, int n, boolean cut) {
    double[] s = squares(b, first, n);
    return isUnit(s, 0, n) || (cut && s[n] <= 1 + UNIT_TOLERANCE);
  }

  private static boolean rowsFrom(double[] s, int p, int d, int n) {
    int q = p;
    for (; q + d <= n; q += d) {
      if (!isUnit(s, q, q + d)) {
        return false;
      }
    }
    return s[p] <= 1 + UNIT_TOLERANCE && s[n] - s[q] <= 1 + UNIT_TOLERANCE;
  }

  private static boolean isUnit(double[] s, int from, int to) {
    return Math.abs(s[to] - s[from] - 1) <= UNIT_TOLERANCE;
  }

  /** True when some phase p below d has a unit vector {@code [p, p + d)} (sums up to 2d). */
  private static boolean anyUnit(double[] s, int d) {
    for (int p = 0; p < d; p++) {
      if (isUnit(s, p, p + d)) {
        return true;
      }
    }
    return false;
  }

  /** {@link #squares} extended from {@code have} to {@code n} elements, the same sums. */
  private double[] moreSquares(byte[] b, int first, int have, int n) {
    if (sums.length < n + 1) {
      sums = java.util.Arrays.copyOf(sums, Math.max(n + 1, 2 * sums.length));
    }
    double[] s = sums;
    double acc = s[have];
    for (int k = have; k < n; k++) {
      double v = Float.intBitsToFloat((int) FloatLayout.INT_LE.get(b, first + 4 * k));
      acc += v * v;
      s[k + 1] = acc;
    }
    return s;
  }

  /** Prefix sums of squares: {@code s[k]} is the sum over the first k elements. */
  private double[] squares(byte[] b, int first, int n) {
    if (sums.length < n + 1) {
      sums = new double[Math.max(n + 1, 2 * sums.length)];
    }
    double[] s = sums;
    s[0] = 0;
    double acc = 0;
    for (int k = 0; k < n; k++) {
      double v = Float.intBitsToFloat((int) FloatLayout.INT_LE.get(b, first + 4 * k));
      acc += v * v;
      s[k + 1] = acc;
    }
    return s;
  }
}
