package dev.sluice.admin;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The admin server's own connections ({@link AdminConnections}) as Prometheus series. */
final class AdminServerMetrics {

  private AdminServerMetrics() {}

  static void register(PrometheusRegistry registry, AdminConnections c) {
    GaugeWithCallback.builder()
        .name("sluice_admin_connections_open")
        .help("Connections to the admin API open now.")
        .callback(cb -> cb.call(c.open()))
        .register(registry);
    CounterWithCallback.builder()
        .name("sluice_admin_connections")
        .help("Connections to the admin API accepted (not refused by the per-source cap).")
        .callback(cb -> cb.call(c.accepted()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("sluice_admin_connections_per_source_max")
        .help("admin.max_connections_per_source: connections one source address may hold open.")
        .callback(cb -> cb.call(c.maxPerSource()))
        .register(registry);
    CounterWithCallback.builder()
        .name("sluice_admin_connections_closed")
        .help(
            "Connections to the admin API the server closed on its own, by reason:"
                + " per_source_cap (refused at accept), request_timeout (a request did not arrive"
                + " whole in time), idle_timeout (no request).")
        .labelNames("reason")
        .callback(
            cb -> {
              for (AdminConnections.Closed why : AdminConnections.Closed.values()) {
                cb.call(c.closed(why), why.label());
              }
            })
        .register(registry);
  }
}
