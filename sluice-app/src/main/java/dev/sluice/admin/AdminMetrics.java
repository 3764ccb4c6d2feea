package dev.sluice.admin;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * {@code GET /metrics}: every Sluice series (listed in {@code docs/metrics.md}) in the Prometheus
 * text format. A private registry, not the library's global default, so nothing else in the process
 * can add to or collide with it, and two servers in one JVM (tests) stay apart. Every series is a
 * callback or collector read at scrape time.
 */
final class AdminMetrics {

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  AdminMetrics(AdminContext ctx, EgressRate rate, AdminConnections connections) {
    registry.register(new BudgetMetrics(ctx.tree(), ctx.store(), ctx.escrow()));
    ExfiltrationMetrics.register(registry, ctx.tree(), ctx.config().model(), rate);
    GatewayMetrics.register(registry, ctx.stats());
    NodeMetrics.register(registry, ctx);
    ctx.storeMetrics().register(registry, ctx.cluster().orElse(null));
    AdminServerMetrics.register(registry, connections);
  }

  /** The whole exposition, as served. */
  byte[] scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    writer.write(out, registry.scrape());
    return out.toByteArray();
  }

  void serve(AdminExchange ex) throws IOException {
    Replies.send(ex, 200, writer.getContentType(), scrape());
  }
}
