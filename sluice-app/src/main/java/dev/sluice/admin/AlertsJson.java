package dev.sluice.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.alert.Alert;
import dev.sluice.alert.Alerting;
import java.time.Instant;
import java.util.List;

/**
 * The body of {@code GET /api/alerts} (read by the dashboard): the alerts firing now and the last
 * 100 changes, newest first, each in Alertmanager's alert shape:
 *
 * <pre>{@code
 * {"alerts":[{"name":"SluiceBudgetThreshold","status":"firing","severity":"warning",
 *             "labels":{"alertname":..,"budget_node":"tenant:inference/acme",..},
 *             "annotations":{"summary":..,"description":..},
 *             "startsAt":"2026-12-06T08:00:05Z","endsAt":null,"fingerprint":"1a30ba71cca2921f"}],
 *  "recent":[..same shape..]}
 * }</pre>
 *
 * <p>{@code endsAt} is null while firing. A node without an {@code alerts} section answers 404.
 */
final class AlertsJson {

  private AlertsJson() {}

  static ObjectNode of(Alerting alerting) {
    ObjectNode root = Json.object();
    put(root.putArray("alerts"), alerting.firing());
    put(root.putArray("recent"), alerting.recent());
    return root;
  }

  private static void put(ArrayNode array, List<Alert> alerts) {
    for (Alert a : alerts) {
      ObjectNode o =
          array
              .addObject()
              .put("name", a.name())
              .put("status", a.status().label())
              .put("severity", a.severity());
      a.labels().forEach(o.putObject("labels")::put);
      a.annotations().forEach(o.putObject("annotations")::put);
      o.put("startsAt", Instant.ofEpochMilli(a.startsAtMillis()).toString());
      if (a.endsAtMillis() < 0) {
        o.putNull("endsAt");
      } else {
        o.put("endsAt", Instant.ofEpochMilli(a.endsAtMillis()).toString());
      }
      o.put("fingerprint", a.fingerprint());
    }
  }
}
