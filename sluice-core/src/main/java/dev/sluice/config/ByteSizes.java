package dev.sluice.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as written in configuration, e.g. {@code 810GB}, {@code 64 MiB}, {@code 0.1% weights}.
 *
 * <p>Syntax: a non-negative decimal number, optional spaces, then a unit. Units are case-sensitive:
 * {@code B}; {@code KB MB GB TB} (powers of 1000); {@code KiB MiB GiB TiB} (powers of 1024); {@code
 * % weights} and {@code x weights} (a percentage or a multiple of {@code model.weight_bytes}). A
 * bare whole number means bytes.
 *
 * <p>Fractions are allowed with every unit except {@code B} and bare numbers; the result is
 * <b>rounded down</b> to a whole byte, so a cap is never larger than what was written. All
 * arithmetic is exact ({@link BigDecimal}); a result that does not fit in a {@code long} is an
 * error, never a wrap-around. No floating point is involved.
 */
public final class ByteSizes {

  /** The units with fixed factors, in the order they are listed in messages. */
  private static final Map<String, Long> UNITS = new LinkedHashMap<>();

  static {
    UNITS.put("B", 1L);
    UNITS.put("KB", 1_000L);
    UNITS.put("MB", 1_000_000L);
    UNITS.put("GB", 1_000_000_000L);
    UNITS.put("TB", 1_000_000_000_000L);
    UNITS.put("KiB", 1L << 10);
    UNITS.put("MiB", 1L << 20);
    UNITS.put("GiB", 1L << 30);
    UNITS.put("TiB", 1L << 40);
  }

  private static final String EXPECTED_UNITS =
      "B, KB, MB, GB, TB, KiB, MiB, GiB, TiB, % weights or x weights";
  private static final Pattern SIZE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?) *(.*)");
  private static final Pattern RELATIVE = Pattern.compile("([%x]) +weights");
  private static final int MAX_DIGITS = 40;

  private ByteSizes() {}

  /**
   * Parses {@code text} into bytes. Relative sizes ({@code N% weights}, {@code Nx weights}) are
   * resolved against {@code weightBytes}; pass {@code 0} when there is nothing to resolve against,
   * and relative sizes are rejected.
   *
   * @throws IllegalArgumentException with a message fit for an operator when {@code text} is not a
   *     size, is negative, or does not fit in a {@code long}
   */
  public static long parse(String text, long weightBytes) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("a size is required, e.g. 500MB");
    }
    String t = text.strip();
    if (t.startsWith("-")) {
      throw new IllegalArgumentException("a size cannot be negative");
    }
    Matcher m = SIZE.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a size; expected a number and a unit, e.g. 500MB, 64MiB, 0.1% weights or 50x"
              + " weights");
    }
    String number = m.group(1);
    String unit = m.group(2);
    if (number.length() > MAX_DIGITS) {
      throw tooLarge();
    }
    BigDecimal amount = new BigDecimal(number);
    boolean fraction = number.indexOf('.') >= 0;
    if (unit.isEmpty() || unit.equals("B")) {
      if (fraction) {
        throw new IllegalArgumentException(
            unit.isEmpty()
                ? "a size needs a unit (" + EXPECTED_UNITS + ")"
                : "a byte count must be a whole number");
      }
      return toLong(amount);
    }
    Long factor = UNITS.get(unit);
    if (factor != null) {
      return toLong(amount.multiply(BigDecimal.valueOf(factor)));
    }
    Matcher rel = RELATIVE.matcher(unit);
    if (rel.matches()) {
      if (weightBytes <= 0) {
        throw new IllegalArgumentException(
            "a size relative to the weights is not allowed here (only caps may use it)");
      }
      BigDecimal of = amount.multiply(BigDecimal.valueOf(weightBytes));
      return toLong(rel.group(1).equals("%") ? of.movePointLeft(2) : of);
    }
    throw new IllegalArgumentException(unknownUnit(number, unit));
  }

  /** Parses an absolute size (no {@code weights} forms). */
  public static long parse(String text) {
    return parse(text, 0);
  }

  /** True when {@code text} is written relative to the weights ({@code N% weights}, ...). */
  public static boolean isRelative(String text) {
    if (text == null) {
      return false;
    }
    Matcher m = SIZE.matcher(text.strip());
    return m.matches() && RELATIVE.matcher(m.group(2)).matches();
  }

  /**
   * A human rendering that {@link #parse} reads back to exactly {@code bytes}: {@code 999 B},
   * {@code 810 MB}, {@code 40.5 TB}, {@code 1 MiB}, {@code 1.5 KiB}. Picks the unit whose exact
   * quotient has the fewest significant digits, then the larger unit.
   */
  public static String format(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative size: " + bytes);
    }
    if (bytes < 1000) {
      return bytes + " B";
    }
    String bestUnit = null;
    BigDecimal best = null;
    for (Map.Entry<String, Long> u : UNITS.entrySet()) {
      long f = u.getValue();
      if (f == 1 || f > bytes) {
        continue;
      }
      // Exact: a long divided by a power of 10 or of 2 always has a finite decimal expansion.
      BigDecimal q = new BigDecimal(bytes).divide(BigDecimal.valueOf(f)).stripTrailingZeros();
      if (best == null
          || q.precision() < best.precision()
          || (q.precision() == best.precision() && q.compareTo(best) < 0)) {
        best = q;
        bestUnit = u.getKey();
      }
    }
    return best.toPlainString() + " " + bestUnit;
  }

  private static long toLong(BigDecimal exact) {
    BigInteger whole = exact.setScale(0, RoundingMode.DOWN).toBigInteger();
    if (whole.bitLength() > 63) {
      throw tooLarge();
    }
    return whole.longValueExact();
  }

  private static IllegalArgumentException tooLarge() {
    return new IllegalArgumentException(
        "too large: a size must fit in 64 bits (at most " + Long.MAX_VALUE + " bytes)");
  }

  private static String unknownUnit(String number, String unit) {
    if (unit.equals("%") || unit.equals("x")) {
      return "a size relative to the weights is written " + number + unit + " weights";
    }
    for (String known : UNITS.keySet()) {
      if (known.equalsIgnoreCase(unit)) {
        return "unknown unit \""
            + unit
            + "\"; units are case-sensitive, did you mean "
            + known
            + "?";
      }
    }
    if (unit.toLowerCase(Locale.ROOT).matches("[%x] *weights")) {
      return "unknown unit \"" + unit + "\"; did you mean " + unit.charAt(0) + " weights?";
    }
    if (unit.length() == 1 && "KMGT".contains(unit.toUpperCase(Locale.ROOT))) {
      String p = unit.toUpperCase(Locale.ROOT);
      return "ambiguous unit \""
          + unit
          + "\"; did you mean "
          + p
          + "B (decimal) or "
          + p
          + "iB (binary)?";
    }
    return "unknown unit \"" + unit + "\"; expected " + EXPECTED_UNITS;
  }
}
