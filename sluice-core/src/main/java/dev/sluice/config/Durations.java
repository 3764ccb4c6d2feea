package dev.sluice.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in configuration: a whole number and a unit, {@code 500ms}, {@code 30s},
 * {@code 5m}, {@code 1h}, {@code 1d} (optional spaces between). Units are case-sensitive; a day is
 * exactly 24 hours. Overflow is an error.
 */
public final class Durations {

  private static final Map<String, Long> UNIT_MILLIS = new LinkedHashMap<>();

  static {
    UNIT_MILLIS.put("d", 86_400_000L);
    UNIT_MILLIS.put("h", 3_600_000L);
    UNIT_MILLIS.put("m", 60_000L);
    UNIT_MILLIS.put("s", 1_000L);
    UNIT_MILLIS.put("ms", 1L);
  }

  private static final Pattern DURATION = Pattern.compile("([0-9]+) *(.*)");

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException with a message fit for an operator
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("a duration is required, e.g. 30s");
    }
    String t = text.strip();
    if (t.startsWith("-")) {
      throw new IllegalArgumentException("a duration cannot be negative");
    }
    if (t.matches("[0-9]*\\.[0-9]+.*")) {
      throw new IllegalArgumentException(
          "a duration must be a whole number of its unit, e.g. 1500ms");
    }
    Matcher m = DURATION.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a duration; expected a whole number and a unit, e.g. 500ms, 30s, 5m, 1h, 1d");
    }
    String unit = m.group(2);
    Long millis = UNIT_MILLIS.get(unit);
    if (millis == null) {
      throw new IllegalArgumentException(unknownUnit(unit));
    }
    try {
      return Duration.ofMillis(Math.multiplyExact(Long.parseLong(m.group(1)), millis));
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("too large for a duration");
    }
  }

  /**
   * The shortest exact rendering that {@link #parse} reads back, e.g. {@code 1h}, {@code 1500ms}.
   */
  public static String format(Duration d) {
    long millis = d.toMillis();
    if (millis == 0) {
      return "0s";
    }
    for (Map.Entry<String, Long> u : UNIT_MILLIS.entrySet()) {
      if (millis % u.getValue() == 0) {
        return millis / u.getValue() + u.getKey();
      }
    }
    throw new AssertionError("ms divides every duration");
  }

  private static String unknownUnit(String unit) {
    if (unit.isEmpty()) {
      return "a duration needs a unit: ms, s, m, h or d (e.g. 30s)";
    }
    String lower = unit.toLowerCase(Locale.ROOT);
    if (UNIT_MILLIS.containsKey(lower)) {
      return "unknown unit \"" + unit + "\"; units are case-sensitive, did you mean " + lower + "?";
    }
    return "unknown unit \"" + unit + "\"; expected ms, s, m, h or d";
  }
}
