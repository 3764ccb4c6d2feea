package dev.sluice.detect.tensor;

/**
 * What the high (sign and exponent) bytes of a byte lane say, read as the high bytes of one float
 * type. Real weights are small numbers spread over a few octaves with a tail toward zero: their
 * exponents fall in a plausible range (from 2^-23 to below 128), most of them within a few adjacent
 * octaves, no single one of which holds nearly all. Text, code, compressed or encrypted bytes,
 * images and integer data read as the same type land out of range, spread over many octaves, or in
 * one.
 *
 * <p>Two readings of a high byte {@code b}:
 *
 * <ul>
 *   <li>{@link #SIGN_EXP7} (fp32's top byte and bf16's high byte): sign, then the top 7 of 8
 *       exponent bits; class {@code b & 0x7f} spans two octaves, {@code [2^(2c-127), 2^(2c-125))}.
 *   <li>{@link #SIGN_EXP5} (fp16's high byte): sign, 5 exponent bits, 2 mantissa bits; class {@code
 *       (b >> 2) & 0x1f} is one octave, {@code [2^(c-15), 2^(c-14))}.
 * </ul>
 *
 * Class 0 holds zeros and subnormals, counted apart: at most half the elements may be there. Both
 * signs must be present ({@link #MIN_EACH_SIGN}).
 *
 * @param zeroFraction elements in class 0
 * @param plausible of the others, the fraction in the plausible range
 * @param concentration of the others, the largest fraction within a window of 8 octaves
 * @param mode of the others, the largest fraction in one class
 * @param negative of all, the fraction with the sign bit set
 */
record ExponentShape(
    double zeroFraction, double plausible, double concentration, double mode, double negative) {

  /** Reading of a high byte: its class count, plausible classes and window in classes. */
  enum Reading {
    SIGN_EXP7(0x7f, 0, 0x34, 0x42, 4, 0.90),
    SIGN_EXP5(0x1f, 2, 1, 21, 8, 0.70);

    private final int mask;
    private final int shift;
    private final int low;
    private final int high;
    private final int window;
    private final double maxMode;

    Reading(int mask, int shift, int low, int high, int window, double maxMode) {
      this.mask = mask;
      this.shift = shift;
      this.low = low;
      this.high = high;
      this.window = window;
      this.maxMode = maxMode;
    }

    boolean plausibleClass(int c) {
      return c >= low && c <= high;
    }
  }

  static final ExponentShape EMPTY = new ExponentShape(1, 0, 0, 1, 0);

  static final Reading SIGN_EXP7 = Reading.SIGN_EXP7;
  static final Reading SIGN_EXP5 = Reading.SIGN_EXP5;

  /** Minimum fraction of elements outside class 0. */
  static final double MAX_ZERO = 0.5;

  /**
   * Minimum fraction of elements of each sign. Weights are signed and roughly balanced; tables of
   * positive 16-bit integers (a JDK module image holds some) can otherwise pass as fp16. A block of
   * only positive weights (layer norm scales) is too small to matter.
   */
  static final double MIN_EACH_SIGN = 0.1;

  /** Minimum fraction, of non-zero elements, in the plausible range. */
  static final double MIN_PLAUSIBLE = 0.97;

  /** Minimum fraction, of non-zero elements, within the best window of 8 octaves. */
  static final double MIN_CONCENTRATION = 0.80;

  /** The shape of {@code a} (plus {@code b} when not null: the two lanes of a 2-byte type). */
  static ExponentShape of(int[] a, int[] b, Reading r) {
    int classes = r.mask + 1;
    int[] byClass = new int[classes];
    // no scatter and no test per value: a class is a run of 1 << shift values in each sign half
    // (value v and v + 0x80 differ only in the sign), so it is summed from fixed positions
    int width = 1 << r.shift;
    long pos = 0;
    long neg = 0;
    if (width == 1 && b == null) {
      for (int c = 0; c < classes; c++) {
        int p = a[c];
        int n = a[c + 0x80];
        byClass[c] = p + n;
        pos += p;
        neg += n;
      }
    } else if (b == null) {
      for (int c = 0, v = 0; c < classes; c++, v += width) {
        int p = 0;
        int n = 0;
        for (int j = v; j < v + width; j++) {
          p += a[j];
          n += a[j + 0x80];
        }
        byClass[c] = p + n;
        pos += p;
        neg += n;
      }
    } else {
      for (int c = 0, v = 0; c < classes; c++, v += width) {
        int p = 0;
        int n = 0;
        for (int j = v; j < v + width; j++) {
          p += a[j] + b[j];
          n += a[j + 0x80] + b[j + 0x80];
        }
        byClass[c] = p + n;
        pos += p;
        neg += n;
      }
    }
    long all = pos + neg;
    if (all == 0) {
      return EMPTY;
    }
    long nonZero = all - byClass[0];
    if (nonZero == 0) {
      return new ExponentShape(1, 0, 0, 1, (double) neg / all);
    }
    long inRange = 0;
    long top = 0;
    for (int c = r.low; c <= r.high; c++) {
      inRange += byClass[c];
    }
    long window = 0;
    long best = 0;
    for (int c = 1; c < classes; c++) {
      window += byClass[c];
      if (c - r.window >= 1) {
        window -= byClass[c - r.window];
      }
      best = Math.max(best, window);
      top = Math.max(top, byClass[c]);
    }
    return new ExponentShape(
        (double) byClass[0] / all,
        (double) inRange / nonZero,
        (double) best / nonZero,
        (double) top / nonZero,
        (double) neg / all);
  }

  /**
   * True when {@code of(a, b, r)} would have a {@link #zeroFraction} of at most {@link #MAX_ZERO}
   * and a {@link #plausible} fraction of at least {@code minPlausible}, computed from the class 0
   * and plausible values only: {@code all} is the count of all values of {@code a} (and {@code b}).
   */
  static boolean mayHold(int[] a, int[] b, long all, Reading r, double minPlausible) {
    int width = 1 << r.shift;
    long zero = 0;
    for (int v = 0; v < width; v++) {
      zero += a[v] + a[v + 0x80] + (b == null ? 0 : b[v] + b[v + 0x80]);
    }
    long nonZero = all - zero;
    if (all == 0 || nonZero == 0 || (double) zero / all > MAX_ZERO) {
      return false;
    }
    long inRange = 0;
    for (int v = r.low * width; v < (r.high + 1) * width; v++) {
      inRange += a[v] + a[v + 0x80] + (b == null ? 0 : b[v] + b[v + 0x80]);
    }
    return (double) inRange / nonZero >= minPlausible;
  }

  /** True when these high bytes look like those of real weights under reading {@code r}. */
  boolean weightLike(Reading r) {
    return zeroFraction <= MAX_ZERO
        && negative >= MIN_EACH_SIGN
        && negative <= 1 - MIN_EACH_SIGN
        && plausible >= MIN_PLAUSIBLE
        && concentration >= MIN_CONCENTRATION
        && mode <= r.maxMode;
  }

  /** A ranking among readings that all look like weights: the tighter, the higher. */
  double score() {
    return plausible * concentration * (1 - zeroFraction);
  }
}
