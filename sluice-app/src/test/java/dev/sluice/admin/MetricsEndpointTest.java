package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsEndpointTest {

  static final double GRANT = 4_194_304; // one escrow chunk on the quickstart: escrow.max_chunk

  @TempDir Path dataDir;
  AdminFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new AdminFixture(dataDir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  MetricsText scrape() throws Exception {
    HttpResponse<String> r = f.get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    return MetricsText.parse(r.body());
  }

  static String s(String name, String... labels) {
    StringBuilder b = new StringBuilder(name);
    for (int i = 0; i < labels.length; i += 2) {
      b.append(i == 0 ? "{" : ",")
          .append(labels[i])
          .append("=\"")
          .append(labels[i + 1])
          .append('"');
    }
    return labels.length == 0 ? b.toString() : b.append('}').toString();
  }

  @Test
  void budgetSeriesPerNodeAndWindowMatchTheStore() throws Exception {
    f.charge("inference", "acme", 300_000);
    MetricsText m = scrape();

    assertThat(m.types())
        .containsEntry("sluice_budget_cap_bytes", "gauge")
        .containsEntry("sluice_budget_spent_bytes", "gauge")
        .containsEntry("sluice_budget_sent_bytes", "gauge")
        .containsEntry("sluice_budget_remaining_bytes", "gauge");
    String[] siteDay = {"node", "site", "window", "day"};
    assertThat(m.get(s("sluice_budget_cap_bytes", siteDay))).isEqualTo(810e6);
    assertThat(m.get(s("sluice_budget_spent_bytes", siteDay))).isEqualTo(GRANT);
    assertThat(m.get(s("sluice_budget_sent_bytes", siteDay))).isEqualTo(300_000);
    assertThat(m.get(s("sluice_budget_remaining_bytes", siteDay))).isEqualTo(810e6 - GRANT);
    String[] acmeMonth = {"node", "tenant:inference/acme", "window", "month"};
    assertThat(m.get(s("sluice_budget_cap_bytes", acmeMonth))).isEqualTo(3e9);
    assertThat(m.get(s("sluice_budget_spent_bytes", acmeMonth))).isEqualTo(GRANT);
    String[] dest = {"node", "dest:employee/*.corp.example", "window", "day"};
    assertThat(m.get(s("sluice_budget_cap_bytes", dest))).isEqualTo(200e6);
    assertThat(m.get(s("sluice_budget_spent_bytes", dest))).isZero();
    // One series per limit: the quickstart has 9 limits on 7 nodes, plus the control allowance.
    assertThat(m.samples().keySet().stream().filter(k -> k.startsWith("sluice_budget_cap_bytes{")))
        .hasSize(10);

    assertThat(m.get("sluice_escrow_held_bytes")).isEqualTo(GRANT - 300_000);
    assertThat(m.get("sluice_escrow_stranded_bytes")).isZero();
  }

  @Test
  void exfiltrationFiguresForTheQuickstart() throws Exception {
    MetricsText m = scrape();
    assertThat(m.get("sluice_weights_bytes")).isEqualTo(810e9);
    // Site day cap is 0.1% of the weights: a thousand days.
    assertThat(m.get(s("sluice_exfiltration_days_at_cap", "node", "site", "window", "day")))
        .isEqualTo(1000.0);
    // Lifetime cap 50x the weights does not slow them at all.
    assertThat(m.get(s("sluice_exfiltration_days_at_cap", "node", "site", "window", "lifetime")))
        .isZero();
    assertThat(
            m.get(s("sluice_exfiltration_days_at_cap", "node", "zone:inference", "window", "day")))
        .isEqualTo(1620.0);
    assertThat(
            m.get(
                s(
                    "sluice_exfiltration_days_at_cap",
                    "node",
                    "tenant:inference/acme",
                    "window",
                    "month")))
        .isCloseTo(270 * 30.436875, within(1e-6));
    // Nothing has left yet: the rate is 0 and the weights never leave at it.
    assertThat(m.get("sluice_egress_rate_bytes_per_second")).isZero();
    assertThat(m.get("sluice_exfiltration_days_at_current_rate")).isInfinite();
  }

  @Test
  void exfiltrationOfTheSmallestUsefulCopyForTheQuickstart() throws Exception {
    MetricsText m = scrape();
    // The default smallest useful copy: a sixteenth of 810 GB.
    assertThat(m.get("sluice_smallest_useful_copy_bytes")).isEqualTo(50.625e9);
    // A sixteenth of the weights at a thousandth of them a day: 62.5 days, not 1000.
    assertThat(m.get(s("sluice_exfiltration_copy_days_at_cap", "node", "site", "window", "day")))
        .isEqualTo(62.5);
    assertThat(
            m.get(s("sluice_exfiltration_copy_days_at_cap", "node", "site", "window", "lifetime")))
        .isZero();
    assertThat(
            m.get(
                s(
                    "sluice_exfiltration_copy_days_at_cap",
                    "node",
                    "tenant:inference/acme",
                    "window",
                    "month")))
        .isCloseTo(270.0 / 16 * 30.436875, within(1e-6));
    assertThat(m.get("sluice_exfiltration_copy_days_at_current_rate")).isInfinite();
  }

  @Test
  void theEgressRateFollowsTheManualClock() throws Exception {
    // The server sampled once at start (t = 0, 0 bytes). A minute of 10 kB/s follows.
    for (int i = 0; i < 12; i++) {
      f.clock.advance(Duration.ofSeconds(5));
      f.stats.egress(50_000);
      f.server.egressRate().sample();
    }
    MetricsText m = scrape();
    assertThat(m.get("sluice_egress_rate_bytes_per_second")).isEqualTo(10_000.0);
    // 810 GB at 10 kB/s: 81e6 s = 937.5 days.
    assertThat(m.get("sluice_exfiltration_days_at_current_rate")).isEqualTo(937.5);
    // Its smallest useful copy, a sixteenth: 58.59375 days.
    assertThat(m.get("sluice_exfiltration_copy_days_at_current_rate")).isEqualTo(58.59375);
  }

  @Test
  void gatewayCountersPerListenerAndDenialsByReason() throws Exception {
    var api = f.stats.listener("api");
    api.connectionsOpen.add(2);
    api.connectionsTotal.add(7);
    api.bytesIn.add(1_000);
    api.bytesOut.add(50_000);
    f.stats.listener("outbound").wouldDenyBytes.add(123);
    f.stats.denied("budget");
    f.stats.denied("budget");
    f.stats.denied("unknown_destination");
    f.stats.control(321);

    MetricsText m = scrape();

    assertThat(m.types())
        .containsEntry("sluice_connections_open", "gauge")
        .containsEntry("sluice_connections_total", "counter")
        .containsEntry("sluice_egress_bytes_total", "counter")
        .containsEntry("sluice_denials_total", "counter");
    assertThat(m.get(s("sluice_connections_open", "listener", "api"))).isEqualTo(2);
    assertThat(m.get(s("sluice_connections_open", "listener", "outbound"))).isZero();
    assertThat(m.get(s("sluice_connections_total", "listener", "api"))).isEqualTo(7);
    assertThat(m.get(s("sluice_ingress_bytes_total", "listener", "api"))).isEqualTo(1_000);
    assertThat(m.get(s("sluice_egress_bytes_total", "listener", "api"))).isEqualTo(50_000);
    assertThat(m.get(s("sluice_would_deny_bytes_total", "listener", "outbound"))).isEqualTo(123);
    assertThat(m.get(s("sluice_denials_total", "reason", "budget"))).isEqualTo(2);
    assertThat(m.get(s("sluice_denials_total", "reason", "unknown_destination"))).isEqualTo(1);
    assertThat(m.get("sluice_control_bytes_total")).isEqualTo(321);
  }

  @Test
  void connectionsClosedForTimeoutsAndCapsPerListenerAndReason() throws Exception {
    var api = f.stats.listener("api");
    api.closed(dev.sluice.gateway.refusal.Reason.REQUEST_HEAD_TIMEOUT);
    api.closed(dev.sluice.gateway.refusal.Reason.REQUEST_HEAD_TIMEOUT);
    f.stats.listener("outbound").closed(dev.sluice.gateway.refusal.Reason.TUNNEL_IDLE_TIMEOUT);

    MetricsText m = scrape();

    assertThat(m.types()).containsEntry("sluice_connections_closed_total", "counter");
    assertThat(
            m.get(
                s(
                    "sluice_connections_closed_total",
                    "listener",
                    "api",
                    "reason",
                    "request_head_timeout")))
        .isEqualTo(2);
    assertThat(
            m.get(
                s(
                    "sluice_connections_closed_total",
                    "listener",
                    "outbound",
                    "reason",
                    "tunnel_idle_timeout")))
        .isEqualTo(1);
  }

  @Test
  void ledgerHaltAndModeState() throws Exception {
    f.clock.advance(Duration.ofSeconds(90));
    MetricsText m = scrape();
    assertThat(m.get("sluice_ledger_entries")).isEqualTo(f.store.ledger().size());
    assertThat(m.get("sluice_ledger_checkpoint_age_seconds")).isEqualTo(90.0);
    assertThat(m.get("sluice_ledger_healthy")).isEqualTo(1);
    assertThat(m.get(s("sluice_halted", "scope", "site"))).isZero();
    assertThat(m.get(s("sluice_mode", "mode", "enforce"))).isEqualTo(1);
    assertThat(m.get(s("sluice_mode", "mode", "report"))).isZero();

    f.postJson("/api/halt", "{\"zone\":\"inference\"}");
    m = scrape();
    assertThat(m.get(s("sluice_halted", "scope", "site"))).isZero();
    assertThat(m.get(s("sluice_halted", "scope", "inference"))).isEqualTo(1);
    assertThat(m.get(s("sluice_halted", "scope", "employee"))).isZero();
    assertThat(m.get("sluice_ledger_entries")).isEqualTo(f.store.ledger().size());
  }

  @Test
  void aFailedLedgerStillScrapesAndSaysSo() throws Exception {
    f.store.ledger().close();
    MetricsText m = scrape();
    assertThat(m.get("sluice_ledger_healthy")).isZero();
    assertThat(m.get(s("sluice_budget_cap_bytes", "node", "site", "window", "day")))
        .isEqualTo(810e6);
  }

  @Test
  void reportModeIsLoud() throws Exception {
    f.close();
    f =
        new AdminFixture(
            dataDir.resolve("report"), y -> y.replace("mode: enforce", "mode: report"));
    MetricsText m = scrape();
    assertThat(m.get(s("sluice_mode", "mode", "report"))).isEqualTo(1);
    assertThat(m.get(s("sluice_mode", "mode", "enforce"))).isZero();
  }

  @Test
  void strandedEscrowFromACrashIsReported() throws Exception {
    Path crashed = dataDir.resolve("crashed");
    f.close();
    f = new AdminFixture(crashed);
    f.charge("inference", "acme", 100_000);
    f.crash();
    f = new AdminFixture(crashed);
    assertThat(scrape().get("sluice_escrow_stranded_bytes")).isEqualTo(GRANT);
  }
}
