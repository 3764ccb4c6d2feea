package dev.sluice.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Byte counts for people: three significant digits in decimal units ({@code 4.19 MB}), and the
 * exact count with separators ({@code 4,194,304}). Display only.
 */
final class HumanBytes {

  private static final String[] UNITS = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
  private static final MathContext THREE = new MathContext(3, RoundingMode.HALF_EVEN);

  private HumanBytes() {}

  /** E.g. {@code 999 B}, {@code 4.19 MB}, {@code 40.5 TB}. */
  static String rounded(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    BigDecimal v = BigDecimal.valueOf(bytes);
    int unit = 0;
    while (unit < UNITS.length - 1 && v.compareTo(BigDecimal.valueOf(1000)) >= 0) {
      v = v.movePointLeft(3);
      unit++;
    }
    BigDecimal rounded = v.round(THREE);
    if (rounded.compareTo(BigDecimal.valueOf(1000)) >= 0 && unit < UNITS.length - 1) {
      rounded = rounded.movePointLeft(3).round(THREE);
      unit++;
    }
    return rounded.stripTrailingZeros().toPlainString() + " " + UNITS[unit];
  }

  /** E.g. {@code 4.19 MB (4,194,304)}; small counts just {@code 512 B}. */
  static String withExact(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    return rounded(bytes) + String.format(Locale.ROOT, " (%,d)", bytes);
  }
}
