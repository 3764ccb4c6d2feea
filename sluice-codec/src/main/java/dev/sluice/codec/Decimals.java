package dev.sluice.codec;

/**
 * JSON numbers with a fraction and no exponent ({@code 362.142}, {@code -0.5}, {@code 1.0}), up to
 * 18 significant digits: written back exactly from their digits as one integer and the number of
 * digits after the point, which codes far better than their characters.
 */
final class Decimals {
  private Decimals() {}

  /**
   * Whether {@code b[s, e)} is {@code -?(0|[1-9][0-9]*)\.[0-9]+} with at most 18 digits, and not a
   * negative zero (its sign would be lost).
   */
  static boolean fits(byte[] b, int s, int e) {
    int k = s;
    boolean neg = k < e && b[k] == '-';
    if (neg) {
      k++;
    }
    int dot = -1;
    int digits = 0;
    boolean nonZero = false;
    for (int i = k; i < e; i++) {
      byte c = b[i];
      if (c == '.') {
        if (dot >= 0) {
          return false;
        }
        dot = i;
      } else if (c >= '0' && c <= '9') {
        digits++;
        nonZero |= c != '0';
      } else {
        return false;
      }
    }
    if (dot <= k || dot == e - 1 || digits > 18) {
      return false;
    }
    if (b[k] == '0' && dot != k + 1) {
      return false; // a leading zero
    }
    return !neg || nonZero;
  }

  /** Digits after the point of a number that {@link #fits}. */
  static int fraction(byte[] b, int s, int e) {
    int i = e - 1;
    while (b[i] != '.') {
      i--;
    }
    return e - 1 - i;
  }

  /** The digits of a number that {@link #fits}, as one signed integer. */
  static long mantissa(byte[] b, int s, int e) {
    boolean neg = b[s] == '-';
    long m = 0;
    for (int i = neg ? s + 1 : s; i < e; i++) {
      if (b[i] != '.') {
        m = m * 10 + (b[i] - '0');
      }
    }
    return neg ? -m : m;
  }

  /** Writes {@code m} with {@code f} digits after the point. */
  static void write(ByteBuf out, long m, int f) {
    String d = Long.toString(Math.abs(m));
    StringBuilder sb = new StringBuilder();
    if (m < 0) {
      sb.append('-');
    }
    for (int pad = d.length(); pad < f + 1; pad++) {
      sb.append('0');
    }
    sb.append(d);
    sb.insert(sb.length() - f, '.');
    for (int i = 0; i < sb.length(); i++) {
      out.put(sb.charAt(i));
    }
  }
}
