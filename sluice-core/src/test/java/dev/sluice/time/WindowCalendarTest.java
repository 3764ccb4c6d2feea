package dev.sluice.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class WindowCalendarTest {

  private static final String[] ZONES = {
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Apia",
    "America/Havana",
    "Asia/Tehran"
  };

  private static long ms(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  private static Duration length(WindowCalendar cal, Window w, String iso) {
    long t = ms(iso);
    return Duration.ofMillis(cal.periodEnd(w, t) - cal.periodStart(w, t));
  }

  @Test
  void utcDayBoundariesAreMidnight() {
    WindowCalendar cal = new WindowCalendar(ZoneId.of("UTC"));
    long t = ms("2026-11-22T21:31:50Z");
    assertThat(cal.periodStart(Window.DAY, t)).isEqualTo(ms("2026-11-22T00:00:00Z"));
    assertThat(cal.periodEnd(Window.DAY, t)).isEqualTo(ms("2026-11-23T00:00:00Z"));
    // The last millisecond of a day still belongs to it; the next one starts the new day.
    assertThat(cal.periodStart(Window.DAY, ms("2026-11-22T23:59:59.999Z")))
        .isEqualTo(ms("2026-11-22T00:00:00Z"));
    assertThat(cal.periodStart(Window.DAY, ms("2026-11-23T00:00:00Z")))
        .isEqualTo(ms("2026-11-23T00:00:00Z"));
  }

  @Test
  void weeksStartOnIsoMonday() {
    WindowCalendar cal = new WindowCalendar(ZoneId.of("UTC"));
    // 2026-11-22 is a Sunday: its week started Monday 2026-11-16.
    long t = ms("2026-11-22T12:00:00Z");
    assertThat(cal.periodStart(Window.WEEK, t)).isEqualTo(ms("2026-11-16T00:00:00Z"));
    assertThat(cal.periodEnd(Window.WEEK, t)).isEqualTo(ms("2026-11-23T00:00:00Z"));
    // A week across a year end.
    assertThat(cal.periodStart(Window.WEEK, ms("2027-01-01T00:00:00Z")))
        .isEqualTo(ms("2026-12-28T00:00:00Z"));
  }

  @Test
  void monthsAreCalendarMonthsIncludingLeapYears() {
    WindowCalendar cal = new WindowCalendar(ZoneId.of("UTC"));
    assertThat(length(cal, Window.MONTH, "2028-02-10T00:00:00Z")).isEqualTo(Duration.ofDays(29));
    assertThat(length(cal, Window.MONTH, "2026-02-10T00:00:00Z")).isEqualTo(Duration.ofDays(28));
    assertThat(length(cal, Window.MONTH, "2100-02-10T00:00:00Z")).isEqualTo(Duration.ofDays(28));
    assertThat(length(cal, Window.MONTH, "2000-02-10T00:00:00Z")).isEqualTo(Duration.ofDays(29));
    assertThat(length(cal, Window.MONTH, "2026-04-30T23:59:59Z")).isEqualTo(Duration.ofDays(30));
    assertThat(cal.periodEnd(Window.MONTH, ms("2026-12-31T23:00:00Z")))
        .isEqualTo(ms("2027-01-01T00:00:00Z"));
    // The leap day itself is a normal day inside February.
    assertThat(length(cal, Window.DAY, "2028-02-29T12:00:00Z")).isEqualTo(Duration.ofDays(1));
    assertThat(cal.periodStart(Window.MONTH, ms("2028-02-29T23:59:59Z")))
        .isEqualTo(ms("2028-02-01T00:00:00Z"));
  }

  @Test
  void daysAcrossDstChangesAre23Or25Hours() {
    WindowCalendar berlin = new WindowCalendar(ZoneId.of("Europe/Berlin"));
    assertThat(length(berlin, Window.DAY, "2026-03-29T12:00:00Z")).isEqualTo(Duration.ofHours(23));
    assertThat(length(berlin, Window.DAY, "2026-10-25T12:00:00Z")).isEqualTo(Duration.ofHours(25));
    // Berlin's midnight is 23:00 UTC the day before in winter, 22:00 UTC in summer.
    assertThat(berlin.periodStart(Window.DAY, ms("2026-03-29T12:00:00Z")))
        .isEqualTo(ms("2026-03-28T23:00:00Z"));
    assertThat(berlin.periodEnd(Window.DAY, ms("2026-03-29T12:00:00Z")))
        .isEqualTo(ms("2026-03-29T22:00:00Z"));
    // The month with the spring change is one hour shorter than its days.
    assertThat(length(berlin, Window.MONTH, "2026-03-15T00:00:00Z"))
        .isEqualTo(Duration.ofDays(31).minusHours(1));
  }

  @Test
  void dayWhoseMidnightDoesNotExistStartsAtItsFirstInstant() {
    // Sao Paulo skipped 2018-11-04T00:00 local; the day started at 01:00 local (03:00 UTC).
    WindowCalendar sp = new WindowCalendar(ZoneId.of("America/Sao_Paulo"));
    long t = ms("2018-11-04T12:00:00Z");
    assertThat(sp.periodStart(Window.DAY, t)).isEqualTo(ms("2018-11-04T03:00:00Z"));
    assertThat(length(sp, Window.DAY, "2018-11-04T12:00:00Z")).isEqualTo(Duration.ofHours(23));
  }

  @Test
  void lifetimeNeverEnds() {
    WindowCalendar cal = new WindowCalendar(ZoneId.of("UTC"));
    assertThat(cal.periodStart(Window.LIFETIME, 0)).isEqualTo(WindowCalendar.BEGINNING);
    assertThat(cal.periodEnd(Window.LIFETIME, Long.MAX_VALUE - 1)).isEqualTo(WindowCalendar.NEVER);
  }

  @Provide
  Arbitrary<Long> instants() {
    // 1970 .. 2200, in milliseconds
    return Arbitraries.longs().between(0, ms("2200-01-01T00:00:00Z"));
  }

  @Provide
  Arbitrary<String> zones() {
    return Arbitraries.of(ZONES);
  }

  @Provide
  Arbitrary<Window> calendarWindows() {
    return Arbitraries.of(Window.DAY, Window.WEEK, Window.MONTH);
  }

  @Property(seed = "20261214", tries = 2000)
  void periodsContainTheirInstantAndTileTime(
      @ForAll("instants") long t,
      @ForAll("zones") String zone,
      @ForAll("calendarWindows") Window w) {
    WindowCalendar cal = new WindowCalendar(ZoneId.of(zone));
    long start = cal.periodStart(w, t);
    long end = cal.periodEnd(w, t);
    assertThat(start).isLessThanOrEqualTo(t);
    assertThat(end).isGreaterThan(t);
    // Periods tile time: the next period starts where this one ends, the last ms is inside.
    assertThat(cal.periodStart(w, end)).isEqualTo(end);
    assertThat(cal.periodStart(w, end - 1)).isEqualTo(start);
    assertThat(cal.periodEnd(w, start)).isEqualTo(end);
  }

  @Property(seed = "20261215", tries = 2000)
  void periodsStartOnTheirCalendarDay(
      @ForAll("instants") long t,
      @ForAll("zones") String zone,
      @ForAll("calendarWindows") Window w) {
    ZoneId z = ZoneId.of(zone);
    WindowCalendar cal = new WindowCalendar(z);
    ZonedDateTime start = Instant.ofEpochMilli(cal.periodStart(w, t)).atZone(z);
    ZonedDateTime local = Instant.ofEpochMilli(t).atZone(z);
    // The start is the first instant of its local date (midnight unless a DST gap skipped it).
    assertThat(start.toLocalDate().atStartOfDay(z)).isEqualTo(start);
    assertThat(start.toLocalTime()).isBefore(LocalTime.of(2, 0));
    switch (w) {
      case DAY -> assertThat(start.toLocalDate()).isEqualTo(local.toLocalDate());
      case WEEK -> {
        assertThat(start.getDayOfWeek()).isEqualTo(DayOfWeek.MONDAY);
        assertThat(Duration.between(start.toLocalDate().atStartOfDay(), local.toLocalDateTime()))
            .isLessThan(Duration.ofDays(7));
      }
      case MONTH -> {
        assertThat(start.getDayOfMonth()).isEqualTo(1);
        assertThat(start.getMonth()).isEqualTo(local.getMonth());
        assertThat(start.getYear()).isEqualTo(local.getYear());
      }
      default -> throw new AssertionError(w);
    }
  }

  @Property(seed = "20261216", tries = 1000)
  void daysNestInsideWeeksAndMonths(@ForAll("instants") long t, @ForAll("zones") String zone) {
    WindowCalendar cal = new WindowCalendar(ZoneId.of(zone));
    for (Window outer : new Window[] {Window.WEEK, Window.MONTH}) {
      assertThat(cal.periodStart(outer, t)).isLessThanOrEqualTo(cal.periodStart(Window.DAY, t));
      assertThat(cal.periodEnd(outer, t)).isGreaterThanOrEqualTo(cal.periodEnd(Window.DAY, t));
    }
  }
}
