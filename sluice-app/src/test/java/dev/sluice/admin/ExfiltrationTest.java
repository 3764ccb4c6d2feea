package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.time.Window;
import org.junit.jupiter.api.Test;

class ExfiltrationTest {

  static final long WEIGHTS = 810_000_000_000L;

  @Test
  void aDailyCapOfAThousandthOfTheWeightsTakesAThousandDays() {
    assertThat(Exfiltration.daysAtCap(WEIGHTS, Window.DAY, 810_000_000L)).isEqualTo(1000.0);
  }

  @Test
  void weeksAndMonthsCountInDays() {
    assertThat(Exfiltration.daysAtCap(WEIGHTS, Window.WEEK, 81_000_000_000L)).isEqualTo(70.0);
    assertThat(Exfiltration.daysAtCap(WEIGHTS, Window.MONTH, 81_000_000_000L))
        .isCloseTo(304.36875, within(1e-9));
  }

  @Test
  void lifetimeCapsAreNeverOrNoBound() {
    assertThat(Exfiltration.daysAtCap(WEIGHTS, Window.LIFETIME, WEIGHTS - 1)).isInfinite();
    assertThat(Exfiltration.daysAtCap(WEIGHTS, Window.LIFETIME, WEIGHTS)).isZero();
    assertThat(Exfiltration.daysAtCap(WEIGHTS, Window.LIFETIME, 50 * WEIGHTS)).isZero();
  }

  @Test
  void aZeroCapOrAZeroRateIsNever() {
    assertThat(Exfiltration.daysAtCap(WEIGHTS, Window.DAY, 0)).isInfinite();
    assertThat(Exfiltration.daysAtRate(WEIGHTS, 0)).isInfinite();
    assertThat(Exfiltration.daysAtRate(WEIGHTS, Double.NaN)).isInfinite();
  }

  @Test
  void atARateTheDaysAreWeightsOverRate() {
    // 810 GB at 9375 B/s: 86.4e6 s = 1000 days.
    assertThat(Exfiltration.daysAtRate(WEIGHTS, 9_375)).isEqualTo(1000.0);
  }
}
