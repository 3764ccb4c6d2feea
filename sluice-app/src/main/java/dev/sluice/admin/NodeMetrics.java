package dev.sluice.admin;

import dev.sluice.config.Mode;
import dev.sluice.halt.HaltState;
import dev.sluice.ledger.Checkpoint;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;

/**
 * The state of this node as Prometheus gauges: escrow held and stranded, the ledger's size,
 * checkpoint age, health and outages (since when, repair attempts, recoveries, refused appends),
 * halt switches, and the mode. Report mode is loud on purpose: {@code sluice_mode{mode="report"} 1}
 * is the series to alert on.
 */
final class NodeMetrics {

  private NodeMetrics() {}

  static void register(PrometheusRegistry registry, AdminContext ctx) {
    gauge(
        registry,
        "sluice_escrow_held_bytes",
        "Escrow this node holds: granted by the store, not yet charged.",
        () -> ctx.escrow().held());
    gauge(
        registry,
        "sluice_escrow_stranded_bytes",
        "Escrow found unsettled at start (lost in a crash): counted as spent, maybe never sent.",
        () -> ctx.stranded().bytes());
    gauge(registry, "sluice_ledger_entries", "Durable ledger entries.", () -> ctx.ledger().size());
    GaugeWithCallback.builder()
        .name("sluice_ledger_checkpoint_age_seconds")
        .help("Seconds since the newest signed checkpoint.")
        .callback(
            cb -> {
              Checkpoint c = ctx.ledger().latestCheckpoint();
              if (c != null) {
                cb.call(Math.max(0, ctx.clock().millis() - c.timeMillis()) / 1000.0);
              }
            })
        .register(registry);
    gauge(
        registry,
        "sluice_ledger_healthy",
        "1 while the ledger is open and has not failed; 0 means no grant can be made (fail closed).",
        () -> ctx.ledger().healthy() ? 1 : 0);
    gauge(
        registry,
        "sluice_ledger_unavailable_since_seconds",
        "Epoch seconds at which the ledger became unavailable after an I/O error (a full disk);"
            + " 0 while it is available.",
        () -> {
          long since = ctx.ledger().status().unavailableSinceMillis();
          return since < 0 ? 0 : since / 1000.0;
        });
    counter(
        registry,
        "sluice_ledger_retries",
        "Attempts to repair the ledger files after an I/O error, failed or not.",
        () -> ctx.ledger().status().retries());
    counter(
        registry,
        "sluice_ledger_recoveries",
        "Ledger outages that ended with a repair (GAP entry written) without a restart.",
        () -> ctx.ledger().status().recoveries());
    counter(
        registry,
        "sluice_ledger_refused_appends",
        "Ledger appends refused while the ledger was unavailable after an I/O error.",
        () -> ctx.ledger().status().refused());
    GaugeWithCallback.builder()
        .name("sluice_halted")
        .help("1 while egress of the scope (site or a zone) is halted.")
        .labelNames("scope")
        .callback(
            cb -> {
              cb.call(ctx.halts().site().on() ? 1 : 0, HaltState.SITE);
              for (String zone : ctx.tree().zones()) {
                cb.call(ctx.halts().zone(zone).on() ? 1 : 0, zone);
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("sluice_mode")
        .help(
            "1 for the active mode. mode=\"report\" means budgets are NOT enforced: over-budget"
                + " bytes leave and are only recorded as would_deny.")
        .labelNames("mode")
        .callback(
            cb -> {
              for (Mode m : Mode.values()) {
                cb.call(ctx.config().mode() == m ? 1 : 0, m.name().toLowerCase(Locale.ROOT));
              }
            })
        .register(registry);
  }

  /** A value read at scrape time. */
  @FunctionalInterface
  interface Reading {
    double read();
  }

  static void counter(PrometheusRegistry registry, String name, String help, Reading reading) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(reading.read()))
        .register(registry);
  }

  static void gauge(PrometheusRegistry registry, String name, String help, Reading reading) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(reading.read()))
        .register(registry);
  }
}
