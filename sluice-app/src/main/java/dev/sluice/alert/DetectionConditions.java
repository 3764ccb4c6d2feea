package dev.sluice.alert;

import dev.sluice.gateway.stats.DetectionStats;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code SluiceWeightsDetected} (critical): the scan stage found model weights in egress. One alert
 * per listener, zone, kind ({@code fingerprint} or {@code tensor}) and action ({@code block} or
 * {@code alert}), firing from the first evaluation after a finding until {@link #HOLD} has passed
 * without another one of its labels; its description is the newest finding (tenant, destination,
 * source file and offset or dtype). Every finding is in the ledger ({@code detection} entries), the
 * alert only says that it happens.
 */
final class DetectionConditions {

  /** How long an alert stays firing after its newest finding. */
  static final Duration HOLD = Duration.ofMinutes(15);

  static final String NAME = "SluiceWeightsDetected";

  private DetectionConditions() {}

  static void collect(
      DetectionStats stats, long now, Map<String, String> base, List<Condition> out) {
    if (stats == null) {
      return;
    }
    for (DetectionStats.Latest l : stats.latest().values()) {
      if (now - l.atMillis() >= HOLD.toMillis()) {
        continue;
      }
      DetectionStats.Key k = l.key();
      Map<String, String> labels = new LinkedHashMap<>(base);
      labels.put("alertname", NAME);
      labels.put("severity", "critical");
      labels.put("listener", k.listener());
      labels.put("zone", k.zone());
      labels.put("kind", k.kind());
      labels.put("action", k.action());
      out.add(
          new Condition(
              "weights|" + String.join("|", k.values()),
              labels,
              "model weights detected in egress ("
                  + k.kind()
                  + ", "
                  + ("block".equals(k.action()) ? "blocked" : "let through")
                  + ")",
              l.description(),
              -1));
    }
  }
}
