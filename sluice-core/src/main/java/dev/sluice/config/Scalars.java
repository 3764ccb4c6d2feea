package dev.sluice.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Reads scalars that carry a unit or a range (sizes, caps, durations, percentages, paths) at a
 * {@link Cursor}, reporting bad values there. Like the cursor, each returns {@code null} after
 * reporting.
 */
final class Scalars {

  private Scalars() {}

  /** An absolute size in bytes (a YAML integer, or text such as {@code 64KiB}). */
  static Long size(Cursor c) {
    return c.parse("a size such as 64MiB", ByteSizes::parse);
  }

  /** An absolute size within {@code [min, max]}. */
  static Long size(Cursor c, long min, long max) {
    Long v = size(c);
    if (v != null && (v < min || v > max)) {
      c.error(
          max == Long.MAX_VALUE
              ? "must be at least " + ByteSizes.format(min)
              : "must be between " + ByteSizes.format(min) + " and " + ByteSizes.format(max));
      return null;
    }
    return v;
  }

  /**
   * A cap: a size that may be relative to the weights. When {@code weightBytes} is unknown (0,
   * because {@code model.weight_bytes} is itself in error) a relative cap returns {@code null}
   * without a second report.
   */
  static Long cap(Cursor c, long weightBytes) {
    String text = c.string("a size such as 500MB or 0.1% weights");
    if (text == null) {
      return null;
    }
    if (weightBytes <= 0 && ByteSizes.isRelative(text)) {
      return null;
    }
    try {
      return ByteSizes.parse(text, weightBytes);
    } catch (IllegalArgumentException e) {
      c.error(e.getMessage());
      return null;
    }
  }

  private static final java.util.regex.Pattern FRACTION =
      java.util.regex.Pattern.compile("([0-9]{1,18}) */ *([0-9]{1,18}) +weights");

  /**
   * A part of the weights, {@code text} as read at {@code c}: an absolute size ({@code 50GB}),
   * {@code N% weights}, or a fraction {@code A/B weights} (rounded up to a whole byte); between 1
   * byte and the weights. When {@code weightBytes} is unknown (0, in error itself) a relative value
   * returns {@code null} without a second report.
   */
  static Long shareOfWeights(Cursor c, String text, long weightBytes) {
    java.util.regex.Matcher f = FRACTION.matcher(text.strip());
    boolean relative = f.matches() || ByteSizes.isRelative(text);
    if (weightBytes <= 0 && relative) {
      return null;
    }
    long bytes;
    if (f.matches()) {
      long num = Long.parseLong(f.group(1));
      long den = Long.parseLong(f.group(2));
      if (num == 0 || den == 0 || num > den) {
        c.error("a fraction of the weights must be above 0 and at most 1, e.g. 1/16 weights");
        return null;
      }
      bytes =
          new java.math.BigDecimal(weightBytes)
              .multiply(java.math.BigDecimal.valueOf(num))
              .divide(java.math.BigDecimal.valueOf(den), 0, java.math.RoundingMode.CEILING)
              .longValueExact();
    } else {
      try {
        bytes = ByteSizes.parse(text, weightBytes);
      } catch (IllegalArgumentException e) {
        c.error(e.getMessage() + "; or a fraction such as 1/16 weights");
        return null;
      }
    }
    if (bytes <= 0) {
      c.error("must be larger than 0");
      return null;
    }
    if (weightBytes > 0 && bytes > weightBytes) {
      c.error(
          "is "
              + ByteSizes.format(bytes)
              + ", more than model.weight_bytes ("
              + ByteSizes.format(weightBytes)
              + "); a useful copy is at most the weights themselves");
      return null;
    }
    return bytes;
  }

  /** A duration within {@code [min, max]}. */
  static Duration duration(Cursor c, Duration min, Duration max) {
    Duration d = c.parse("a duration such as 30s", Durations::parse);
    if (d != null && (d.compareTo(min) < 0 || d.compareTo(max) > 0)) {
      c.error("must be between " + Durations.format(min) + " and " + Durations.format(max));
      return null;
    }
    return d;
  }

  /** A whole number within {@code [min, max]}. */
  static Long count(Cursor c, long min, long max) {
    Long v = c.integer();
    if (v != null && (v < min || v > max)) {
      c.error("must be between " + min + " and " + max);
      return null;
    }
    return v;
  }

  /** A whole percentage within {@code [min, max]}, written {@code 25} or {@code 25%}. */
  static Integer percent(Cursor c, int min, int max) {
    String text = c.string("a percentage");
    if (text == null) {
      return null;
    }
    String digits = text.endsWith("%") ? text.substring(0, text.length() - 1).strip() : text;
    if (digits.isEmpty()
        || digits.length() > 3
        || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      c.error("expected a whole percentage, e.g. 25");
      return null;
    }
    int v = Integer.parseInt(digits);
    if (v < min || v > max) {
      c.error("must be between " + min + " and " + max + " percent");
      return null;
    }
    return v;
  }

  /** A file system path, kept as written (relative paths stay relative). */
  static Path path(Cursor c) {
    String s = c.string("a file path");
    if (s == null) {
      return null;
    }
    if (s.isBlank()) {
      c.error("a path must not be empty");
      return null;
    }
    try {
      return Path.of(s);
    } catch (InvalidPathException e) {
      c.error("not a valid path: " + e.getReason());
      return null;
    }
  }

  /** A non-blank string. */
  static String nonBlank(Cursor c) {
    String s = c.string();
    if (s != null && s.isBlank()) {
      c.error("must not be empty");
      return null;
    }
    return s;
  }
}
