package dev.sluice.codec;

/**
 * The {@link ValueCoder#DIGITS} class of strings: a value that is its template with only its digit
 * runs changed (timestamps, dates, counters inside ids), coded as the template's bytes with each
 * run's difference from the template's run ({@link NumberCoder}, one context a run position) and
 * its width when it changed. The flags are the value coder's (contexts {@code width} to {@code
 * width + 3}), so the model file's tuned state is the same. Part of a stream's state.
 */
final class DigitRuns {
  private final NumberCoder numbers;
  private final Probs flags;
  private final int width;
  private final long[] runs = new long[64];
  private final int[] widths = new int[64];

  DigitRuns(NumberCoder numbers, Probs flags, int width) {
    this.numbers = numbers;
    this.flags = flags;
    this.width = width;
  }

  /** Same bytes as the template but for digit runs, at least one run, no run over 18 digits. */
  static boolean sameSkeleton(byte[] v, int cs, int ce, byte[] t, int ts, int te) {
    int i = cs;
    int j = ts;
    int runs = 0;
    while (i < ce && j < te) {
      boolean di = isDigit(v[i]);
      boolean dj = isDigit(t[j]);
      if (di != dj) {
        return false;
      }
      if (di) {
        int a = i;
        int b = j;
        while (i < ce && isDigit(v[i])) {
          i++;
        }
        while (j < te && isDigit(t[j])) {
          j++;
        }
        if (i - a > 18 || j - b > 18) {
          return false;
        }
        runs++;
      } else {
        if (v[i] != t[j]) {
          return false;
        }
        i++;
        j++;
      }
    }
    return i == ce && j == te && runs > 0 && runs <= 64;
  }

  void code(
      BitCoding c,
      int key,
      boolean json,
      byte[] v,
      int cs,
      int ce,
      boolean strT,
      byte[] t,
      int ts,
      int te,
      ByteBuf out)
      throws CodecFormatException {
    if (!strT) {
      throw new CodecFormatException(-1, "digit runs without a template");
    }
    boolean enc = !c.decoding();
    int runCount = 0;
    if (enc) {
      for (int i = cs; i < ce; ) {
        if (isDigit(v[i])) {
          int a = i;
          long x = 0;
          while (i < ce && isDigit(v[i])) {
            x = x * 10 + (v[i] - '0');
            i++;
          }
          runs[runCount] = x;
          widths[runCount] = i - a;
          runCount++;
        } else {
          i++;
        }
      }
    }
    if (json) {
      out.put('"');
    }
    int r = 0;
    for (int j = ts; j < te; ) {
      if (!isDigit(t[j])) {
        out.put(t[j]);
        j++;
        continue;
      }
      int a = j;
      long tv = 0;
      while (j < te && isDigit(t[j])) {
        tv = tv * 10 + (t[j] - '0');
        j++;
      }
      int tw = j - a;
      if (r >= runs.length) {
        throw new CodecFormatException(-1, "too many digit runs");
      }
      long d = numbers.code(c, (key + r) & 7, enc ? runs[r] - tv : 0);
      long value = tv + d;
      int w = tw;
      if (flags.code(c, width + Math.min(r, 3), enc && widths[r] == tw ? 1 : 0) == 0) {
        w = (int) numbers.code(c, 12, enc ? widths[r] : 0);
      }
      if (value < 0 || w < 1 || w > 18 || digitCount(value) > w) {
        throw new CodecFormatException(-1, "a digit run of " + value + " in " + w + " digits");
      }
      for (int k = w - 1; k >= 0; k--) {
        out.put('0' + (int) (value / POW10[k] % 10));
      }
      r++;
    }
    if (json) {
      out.put('"');
    }
  }

  private static final long[] POW10 = new long[19];

  static {
    POW10[0] = 1;
    for (int k = 1; k < POW10.length; k++) {
      POW10[k] = POW10[k - 1] * 10;
    }
  }

  private static int digitCount(long x) {
    int n = 1;
    while (n < 19 && x >= POW10[n]) {
      n++;
    }
    return n;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }
}
