package dev.sluice.time;

import java.util.Locale;

/**
 * The period a limit counts over. Periods are aligned to the calendar of the site's time zone:
 * {@code day} starts at local midnight, {@code week} on Monday (ISO-8601), {@code month} on the
 * 1st; {@code lifetime} never resets. A month is a calendar month, never "30 days".
 *
 * <p>Declared from shortest to longest; {@link #atLeastAsLongAs} relies on that order.
 */
public enum Window {
  DAY,
  WEEK,
  MONTH,
  LIFETIME;

  /** The name used in configuration, JSON and node ids: {@code day}, {@code lifetime}... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True when every period of this window is at least as long as any period of {@code other}. */
  public boolean atLeastAsLongAs(Window other) {
    return ordinal() >= other.ordinal();
  }

  /**
   * The window named {@code label} ({@code day}, {@code week}, {@code month}, {@code lifetime}).
   */
  public static Window parse(String label) {
    for (Window w : values()) {
      if (w.label().equals(label)) {
        return w;
      }
    }
    throw new IllegalArgumentException(
        "unknown window '" + label + "' (expected day, week, month or lifetime)");
  }
}
