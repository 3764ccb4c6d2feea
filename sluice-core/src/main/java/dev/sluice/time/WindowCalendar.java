package dev.sluice.time;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.Objects;

/**
 * Computes window periods on the calendar of one time zone.
 *
 * <p>A period is the half-open interval {@code [start, end)} in epoch milliseconds. Days start at
 * the first instant of the local date (usually midnight; where a DST jump skips midnight, the first
 * instant after it), weeks on ISO Monday, months on the 1st. Because every period is computed from
 * the local date, a day is 23 or 25 hours long across DST changes and a month has its real length,
 * leap years included. {@link Window#LIFETIME} has one period covering all time.
 *
 * <p>Not on the hot path: callers cache the current period and ask again only when time passes its
 * end. Immutable and thread-safe.
 */
public final class WindowCalendar {

  /** Start of the lifetime period. */
  public static final long BEGINNING = Long.MIN_VALUE;

  /** End of the lifetime period. */
  public static final long NEVER = Long.MAX_VALUE;

  private final ZoneId zone;

  public WindowCalendar(ZoneId zone) {
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  public ZoneId zone() {
    return zone;
  }

  /** The first instant (epoch ms) of the period of {@code window} that contains {@code millis}. */
  public long periodStart(Window window, long millis) {
    if (window == Window.LIFETIME) {
      return BEGINNING;
    }
    return startOf(firstDay(window, localDate(millis)));
  }

  /**
   * The first instant (epoch ms) after the period of {@code window} that contains {@code millis},
   * which is also the start of the next period.
   */
  public long periodEnd(Window window, long millis) {
    if (window == Window.LIFETIME) {
      return NEVER;
    }
    LocalDate first = firstDay(window, localDate(millis));
    LocalDate next =
        switch (window) {
          case DAY -> first.plusDays(1);
          case WEEK -> first.plusWeeks(1);
          case MONTH -> first.plusMonths(1);
          case LIFETIME -> throw new AssertionError();
        };
    return startOf(next);
  }

  private LocalDate localDate(long millis) {
    return Instant.ofEpochMilli(millis).atZone(zone).toLocalDate();
  }

  private static LocalDate firstDay(Window window, LocalDate d) {
    return switch (window) {
      case DAY -> d;
      case WEEK -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTH -> d.withDayOfMonth(1);
      case LIFETIME -> throw new AssertionError();
    };
  }

  private long startOf(LocalDate d) {
    return d.atStartOfDay(zone).toInstant().toEpochMilli();
  }

  @Override
  public String toString() {
    return "WindowCalendar[" + zone + "]";
  }
}
