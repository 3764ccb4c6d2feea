package dev.sluice.detect.decode;

/**
 * How far a content decoder may expand its input before it is taken for a decompression bomb and
 * refused: at most {@code allowance + ratio * input} bytes out. Decoders never buffer their output
 * (it goes downstream in pieces), so the limit bounds the scanning work a small body can cause, not
 * memory.
 *
 * @param ratio output bytes allowed per input byte
 * @param allowance output bytes allowed whatever the input (headers, short bodies)
 */
public record ExpansionLimit(long ratio, long allowance) {

  /** 1 MiB, then 200 times the input: text and JSON compress 3 to 30 times, zeros 1000. */
  public static final ExpansionLimit DEFAULT = new ExpansionLimit(200, 1 << 20);

  public ExpansionLimit {
    if (ratio < 1 || allowance < 0 || ratio > 1 << 20) {
      throw new IllegalArgumentException(
          "expansion limit: ratio "
              + ratio
              + " must be in 1..1048576, allowance "
              + allowance
              + " >= 0");
    }
  }

  /** True when {@code out} bytes from {@code in} is within the limit (no overflow). */
  boolean allows(long in, long out) {
    long cap;
    try {
      cap = Math.addExact(allowance, Math.multiplyExact(ratio, in));
    } catch (ArithmeticException e) {
      return true;
    }
    return out <= cap;
  }
}
