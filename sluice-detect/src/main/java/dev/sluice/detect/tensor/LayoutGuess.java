package dev.sluice.detect.tensor;

import dev.sluice.detect.format.DType;
import dev.sluice.detect.tensor.ExponentShape.Reading;

/**
 * Which float layout, if any, the lane histograms of a block point to.
 *
 * <ul>
 *   <li>bf16: two lanes two apart (p and p+2) both hold sign+7-exponent-bit bytes that look like
 *       weights; the lanes between them are the low bytes (exponent bit and mantissa).
 *   <li>fp32: exactly one lane of the four does; the other three are mantissa bytes (near uniform,
 *       or zero when the values were widened from a narrower type).
 *   <li>fp16: two lanes two apart hold sign+5-exponent-bit bytes that look like weights.
 * </ul>
 *
 * bf16 is tried first: fp16 weights read as bf16 fall out of the plausible range (their exponents
 * would be below 2^-31), while bf16 weights read as fp16 would all sit in one octave, which the
 * fp16 reading refuses ({@link ExponentShape#mode}).
 */
final class LayoutGuess {
  private LayoutGuess() {}

  /** Plausible fraction at which a sampled lane could still hold float high bytes. */
  static final double MAY_HOLD = 0.8;

  /**
   * A quick look at a sample: true when some lane (fp32/bf16 reading) or pair of lanes (fp16) has
   * at least {@link #MAY_HOLD} of its non-zero high bytes in the plausible range.
   */
  static boolean mayHoldFloats(LaneHistogram h) {
    // from the zero and plausible classes only (ExponentShape.mayHold): most blocks stop here
    for (int k = 0; k < 4; k++) {
      if (ExponentShape.mayHold(h.lane(k), null, h.laneTotal(k), Reading.SIGN_EXP7, MAY_HOLD)) {
        return true;
      }
    }
    for (int p = 0; p < 2; p++) {
      long all = (long) h.laneTotal(p) + h.laneTotal(p + 2);
      if (ExponentShape.mayHold(h.lane(p), h.lane(p + 2), all, Reading.SIGN_EXP5, MAY_HOLD)) {
        return true;
      }
    }
    return false;
  }

  /** The layout the histograms point to, or null when they do not look like float weights. */
  static FloatLayout of(LaneHistogram h) {
    ExponentShape[] wide = new ExponentShape[4];
    boolean[] ok = new boolean[4];
    for (int k = 0; k < 4; k++) {
      wide[k] = ExponentShape.of(h.lane(k), null, Reading.SIGN_EXP7);
      ok[k] = wide[k].weightLike(Reading.SIGN_EXP7);
    }
    int pairs = 0;
    int pair = -1;
    for (int p = 0; p < 2; p++) {
      if (ok[p] && ok[p + 2]) {
        pairs++;
        pair = p;
      }
    }
    if (pairs == 1) {
      return new FloatLayout(DType.BF16, pair);
    }
    if (pairs == 0) {
      int single = -1;
      double best = -1;
      for (int k = 0; k < 4; k++) {
        if (ok[k] && wide[k].score() > best) {
          best = wide[k].score();
          single = k;
        }
      }
      if (single >= 0) {
        return new FloatLayout(DType.F32, single);
      }
    }
    FloatLayout half = null;
    for (int p = 0; p < 2; p++) {
      ExponentShape s = ExponentShape.of(h.lane(p), h.lane(p + 2), Reading.SIGN_EXP5);
      if (s.weightLike(Reading.SIGN_EXP5)) {
        if (half != null) {
          return null; // both parities: no lane structure, not a 2-byte float stream
        }
        half = new FloatLayout(DType.F16, p);
      }
    }
    return half;
  }
}
