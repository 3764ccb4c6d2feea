package dev.sluice.admin;

import dev.sluice.alert.Alert;
import dev.sluice.alert.Alerting;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashMap;
import java.util.Map;

/**
 * The alerts as Prometheus series: alerts firing by name (every name, 0 included, so a rule can
 * watch it) and, per webhook, notifications delivered, failed attempts, dropped notifications and
 * the queue. Registered only when the node has an {@code alerts} section.
 */
final class AlertMetrics {

  private AlertMetrics() {}

  static void register(PrometheusRegistry registry, Alerting alerts) {
    GaugeWithCallback.builder()
        .name("sluice_alerts_firing")
        .help("Alerts firing now, by alertname.")
        .labelNames("alertname")
        .callback(
            cb -> {
              Map<String, Integer> n = new HashMap<>();
              for (Alert a : alerts.firing()) {
                n.merge(a.name(), 1, Integer::sum);
              }
              for (String name : Alerting.NAMES) {
                cb.call(n.getOrDefault(name, 0), name);
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("sluice_alert_evaluations")
        .help("Evaluations of the alert conditions (every alerts.interval).")
        .callback(cb -> cb.call(alerts.evaluations()))
        .register(registry);
    counter(
        registry,
        "sluice_alert_webhook_deliveries",
        "Notifications a webhook accepted (2xx).",
        s -> s.delivered(),
        alerts);
    counter(
        registry,
        "sluice_alert_webhook_failures",
        "Failed attempts to deliver a notification to a webhook (each retry counts).",
        s -> s.failed(),
        alerts);
    counter(
        registry,
        "sluice_alert_webhook_dropped",
        "Notifications given up: refused with a 4xx, or pushed out of a full queue.",
        s -> s.dropped(),
        alerts);
    GaugeWithCallback.builder()
        .name("sluice_alert_webhook_queued")
        .help("Notifications waiting for a webhook.")
        .labelNames("webhook")
        .callback(
            cb -> {
              for (Alerting.WebhookStats s : alerts.webhookStats()) {
                cb.call(s.queued(), s.webhook());
              }
            })
        .register(registry);
  }

  private interface Field {
    long of(Alerting.WebhookStats s);
  }

  private static void counter(
      PrometheusRegistry registry, String name, String help, Field f, Alerting alerts) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("webhook")
        .callback(
            cb -> {
              for (Alerting.WebhookStats s : alerts.webhookStats()) {
                cb.call(f.of(s), s.webhook());
              }
            })
        .register(registry);
  }
}
