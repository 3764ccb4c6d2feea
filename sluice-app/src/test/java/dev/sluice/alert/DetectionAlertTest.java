package dev.sluice.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.stats.DetectionStats;
import dev.sluice.time.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code SluiceWeightsDetected}: a finding of the scan stage fires one critical alert per listener,
 * zone, kind and action, described by the newest finding; a further finding does not fire it again;
 * it resolves {@link DetectionConditions#HOLD} after the last one.
 */
class DetectionAlertTest {

  @TempDir Path dir;
  private final ManualClock clock = ManualClock.at("2026-12-06T10:00:00Z");

  /** The changes of SluiceWeightsDetected only (the fixture's idle ledger has its own alerts). */
  private static List<Alert> weights(List<Alert> changes) {
    return changes.stream().filter(a -> a.name().equals(DetectionConditions.NAME)).toList();
  }

  @Test
  void aFindingFiresOnceAndResolvesAfterTheHold() throws Exception {
    try (AlertFixture f = new AlertFixture(dir, clock, "alerts: {}")) {
      assertThat(weights(f.alerts.evaluate())).isEmpty();
      DetectionStats.Key key = new DetectionStats.Key("api", "z", "fingerprint", "block");
      f.stats.detections().detected(key, clock.millis(), "listener api: fingerprint of m.onnx");

      List<Alert> fired = weights(f.alerts.evaluate());
      assertThat(fired).hasSize(1);
      Alert a = fired.get(0);
      assertThat(a.status()).isEqualTo(Alert.Status.FIRING);
      assertThat(a.name()).isEqualTo("SluiceWeightsDetected");
      assertThat(a.labels())
          .containsEntry("severity", "critical")
          .containsEntry("listener", "api")
          .containsEntry("kind", "fingerprint")
          .containsEntry("action", "block");
      assertThat(a.annotations().get("description")).contains("m.onnx");

      clock.advance(Duration.ofMinutes(10));
      f.stats.detections().detected(key, clock.millis(), "again");
      assertThat(weights(f.alerts.evaluate())).as("still firing: no new notification").isEmpty();

      clock.advance(DetectionConditions.HOLD.minusSeconds(1));
      assertThat(weights(f.alerts.evaluate())).isEmpty();
      clock.advance(Duration.ofSeconds(1));
      List<Alert> resolved = weights(f.alerts.evaluate());
      assertThat(resolved).extracting(Alert::status).containsExactly(Alert.Status.RESOLVED);
    }
  }
}
