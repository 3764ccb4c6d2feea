package dev.sluice.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.time.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The egress-rate alert on this gateway's egress counter: it fires when the last minute's rate is
 * above 5 times the 10-minute average and at least 1000 B/s, not when an idle node starts sending a
 * little, and resolves when the burst ends. A manual clock moves 5 s per evaluation.
 */
class RateAlertTest {

  @TempDir Path dir;

  private final ManualClock clock = ManualClock.at("2026-12-06T10:00:00Z");

  /**
   * Sends {@code bytesPerSecond} for {@code seconds}, evaluating every 5 s; returns the changes.
   */
  private static List<Alert> run(
      AlertFixture f, ManualClock clock, int seconds, long bytesPerSecond) {
    List<Alert> changes = new ArrayList<>();
    for (int t = 0; t < seconds; t += 5) {
      f.stats.egress(5 * bytesPerSecond);
      clock.advance(Duration.ofSeconds(5));
      f.store.ledger().checkpointNow();
      changes.addAll(
          f.alerts.evaluate().stream().filter(a -> a.name().equals("SluiceEgressRate")).toList());
    }
    return changes;
  }

  @Test
  void aBurstAboveTheTrailingAverageFiresAndAnIdleNodeSendingALittleDoesNot() throws Exception {
    try (AlertFixture f =
        new AlertFixture(
            dir,
            clock,
            "alerts: { rate: { multiple: 5, window: 1m, trailing: 10m,"
                + " min_bytes_per_second: 1000 } }")) {
      f.alerts.evaluate();
      assertThat(run(f, clock, 600, 0)).isEmpty();
      // From idle to 500 B/s: far above 5 x 0, but below the floor.
      assertThat(run(f, clock, 120, 500)).isEmpty();
      assertThat(run(f, clock, 600, 100)).isEmpty();
      // A burst of 20 x the trailing rate.
      List<Alert> burst = run(f, clock, 60, 2000);
      assertThat(burst).hasSize(1);
      Alert a = burst.get(0);
      assertThat(a.status()).isEqualTo(Alert.Status.FIRING);
      assertThat(a.labels())
          .containsEntry("subject", "gateway")
          .containsEntry("severity", "warning");
      assertThat(a.annotations().get("description"))
          .contains("over the last 1m")
          .contains("on average over the last 10m");
      // Still bursting: no second alert.
      assertThat(run(f, clock, 30, 2000)).isEmpty();
      // Back to the trailing rate: it resolves once the window's rate falls below the floor.
      List<Alert> calm = run(f, clock, 120, 100);
      assertThat(calm).extracting(Alert::status).containsExactly(Alert.Status.RESOLVED);
    }
  }
}
