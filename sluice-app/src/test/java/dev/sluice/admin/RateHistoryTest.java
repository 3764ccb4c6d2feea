package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RateHistory} on a real store and escrow with a manual clock: the ring and its order. */
class RateHistoryTest {

  @TempDir Path dir;

  @Test
  void keepsTheLastHourOldestFirstAndIgnoresASampleAtTheSameInstant() throws Exception {
    try (AdminFixture f = new AdminFixture(dir)) {
      RateHistory h = new RateHistory(f.clock, f.tree, f.store, f.escrow);
      h.sample();
      int steps = RateHistory.CAPACITY + 5;
      for (int i = 1; i <= steps; i++) {
        f.charge("inference", "acme", 100L * i);
        f.clock.advance(Duration.ofSeconds(10));
        h.sample();
      }
      h.sample(); // same instant: no point

      RateHistory.Snapshot s = h.snapshot();
      assertThat(s.timesMillis()).hasSize(RateHistory.CAPACITY);
      assertThat(s.timesMillis()[RateHistory.CAPACITY - 1]).isEqualTo(f.clock.millis());
      for (int k = 1; k < s.timesMillis().length; k++) {
        assertThat(s.timesMillis()[k] - s.timesMillis()[k - 1]).isEqualTo(10_000);
      }
      long[] acme = series(s, "tenant:inference/acme");
      assertThat(acme[0]).isEqualTo(10L * 6); // points 1..5 fell out: the oldest is step 6
      assertThat(acme[RateHistory.CAPACITY - 1]).isEqualTo(10L * steps);
      assertThat(series(s, "tenant:inference/default")).containsOnly(0L);
      assertThat(series(s, "zone:inference")).isEqualTo(acme);
      assertThat(s.series()).extracting(RateHistory.Series::id).doesNotContain("control");
    }
  }

  private static long[] series(RateHistory.Snapshot s, String id) {
    return s.series().stream()
        .filter(x -> x.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no series " + id))
        .bytesPerSecond();
  }
}
