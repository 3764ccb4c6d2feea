package dev.sluice.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerReader;
import dev.sluice.ledger.LedgerVerifier;
import dev.sluice.ledger.VerifyReport;
import dev.sluice.time.ManualClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, alerts: thresholds fire once per limit, period and threshold, and resolve when the
 * window resets; delivered to a real webhook receiver in Alertmanager's webhook format version 4;
 * retried after a 500; ledgered (and verified); rebuilt from the ledger after a restart; served at
 * {@code /api/alerts}. The clock is a manual one; evaluation and delivery are called directly.
 */
class AlertingTest {

  private static final Pattern ISO =
      Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");

  @TempDir Path dir;
  private WebhookReceiver receiver;
  private final ManualClock clock = ManualClock.at("2026-12-06T10:00:00Z");
  private final List<AlertFixture> fixtures = new ArrayList<>();

  @BeforeEach
  void receiver() throws IOException {
    receiver = new WebhookReceiver();
  }

  @AfterEach
  void close() {
    fixtures.forEach(AlertFixture::close);
    receiver.close();
  }

  private AlertFixture node(String more) throws IOException {
    AlertFixture f =
        new AlertFixture(
            dir,
            clock,
            "alerts:\n  webhooks: [ { url: \""
                + receiver.url()
                + "\" } ]\n  external_url: http://sluice.test:9901/\n"
                + more);
    fixtures.add(f);
    return f;
  }

  /** Every ALERT entry the ledger holds now, as "status threshold=N%", in order. */
  private static List<String> alertEntries(Path dir) {
    List<String> entries = new ArrayList<>();
    try (LedgerReader reader = LedgerReader.open(dir)) {
      reader.forEach(
          e -> {
            if (e.entry().type() == EntryType.ALERT) {
              entries.add(
                  e.entry().getString("status")
                      + " "
                      + e.entry().getStrings("labels").stream()
                          .filter(l -> l.startsWith("threshold="))
                          .findFirst()
                          .orElseThrow());
            }
          });
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return entries;
  }

  /** Evaluates and delivers, and returns the notifications the receiver accepted since. */
  private List<JsonNode> round(AlertFixture f) {
    // The ledger's writer signs on its own thread when the clock says a checkpoint is due; on a
    // manual clock that races with the evaluation, so sign here, as a keeping-up writer would.
    f.store.ledger().checkpointNow();
    int before = receiver.accepted().size();
    f.alerts.evaluate();
    f.alerts.deliverDue();
    List<JsonNode> all = receiver.accepted();
    return all.subList(before, all.size());
  }

  @Test
  void aThresholdFiresOncePerPeriodInTheV4FormatAndResolvesWhenTheWindowResets() throws Exception {
    AlertFixture f = node("");
    assertThat(round(f)).isEmpty();

    f.spendTo(AlertFixture.X_CAP / 2);
    List<JsonNode> fired = round(f);
    assertThat(fired).hasSize(1);
    JsonNode n = fired.get(0);
    assertThat(n.get("version").asText()).isEqualTo("4");
    assertThat(n.get("groupKey").asText()).isEqualTo("{}:{alertname=\"SluiceBudgetThreshold\"}");
    assertThat(n.get("truncatedAlerts").asInt()).isZero();
    assertThat(n.get("status").asText()).isEqualTo("firing");
    assertThat(n.get("receiver").asText()).isEqualTo("sluice");
    assertThat(n.get("groupLabels").toString())
        .isEqualTo("{\"alertname\":\"SluiceBudgetThreshold\"}");
    assertThat(n.get("externalURL").asText()).isEqualTo("http://sluice.test:9901/");
    assertThat(n.get("alerts")).hasSize(1);
    JsonNode a = n.get("alerts").get(0);
    assertThat(a.get("status").asText()).isEqualTo("firing");
    assertThat(a.get("labels").get("alertname").asText()).isEqualTo("SluiceBudgetThreshold");
    assertThat(a.get("labels").get("severity").asText()).isEqualTo("warning");
    assertThat(a.get("labels").get("site").asText()).isEqualTo("t");
    assertThat(a.get("labels").get("budget_node").asText()).isEqualTo("tenant:z/x");
    assertThat(a.get("labels").get("window").asText()).isEqualTo("day");
    assertThat(a.get("labels").get("threshold").asText()).isEqualTo("50%");
    assertThat(a.get("labels").get("period_end").asText()).isEqualTo("2026-12-07T00:00:00Z");
    assertThat(a.get("annotations").get("summary").asText())
        .isEqualTo("tenant:z/x has spent 50% of its day cap");
    assertThat(a.get("annotations").get("description").asText()).contains("of 1000000 bytes");
    assertThat(a.get("startsAt").asText()).isEqualTo("2026-12-06T10:00:00Z");
    assertThat(a.get("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
    assertThat(a.get("generatorURL").asText()).isEqualTo("http://sluice.test:9901/api/alerts");
    assertThat(a.get("fingerprint").asText()).matches("[0-9a-f]{16}");
    assertThat(n.get("commonLabels")).isEqualTo(a.get("labels"));
    assertThat(n.get("commonAnnotations")).isEqualTo(a.get("annotations"));

    // Egress goes on below the next threshold: nothing new, however often it is evaluated.
    for (int i = 0; i < 5; i++) {
      f.charge(20_000);
      clock.advance(Duration.ofSeconds(5));
      assertThat(round(f)).isEmpty();
    }
    assertThat(f.spent()).isLessThan(AlertFixture.X_CAP * 8 / 10);
    f.spendTo(AlertFixture.X_CAP * 8 / 10);
    List<JsonNode> eighty = round(f);
    assertThat(eighty).hasSize(1);
    assertThat(eighty.get(0).get("alerts")).hasSize(1);
    assertThat(eighty.get(0).at("/alerts/0/labels/threshold").asText()).isEqualTo("80%");

    f.exhaust();
    List<JsonNode> full = round(f);
    assertThat(full).hasSize(1);
    assertThat(full.get(0).at("/alerts/0/labels/threshold").asText()).isEqualTo("100%");
    assertThat(full.get(0).at("/alerts/0/labels/severity").asText()).isEqualTo("critical");
    clock.advance(Duration.ofHours(1));
    assertThat(round(f)).isEmpty();
    assertThat(f.alerts.firing()).hasSize(3);

    // Midnight: the day window resets, the three alerts resolve in one notification.
    clock.advance(Duration.ofHours(13));
    List<JsonNode> resolved = round(f);
    assertThat(resolved).hasSize(1);
    JsonNode r = resolved.get(0);
    assertThat(r.get("status").asText()).isEqualTo("resolved");
    assertThat(r.get("alerts")).hasSize(3);
    for (JsonNode ra : r.get("alerts")) {
      assertThat(ra.get("status").asText()).isEqualTo("resolved");
      assertThat(ra.get("endsAt").asText()).isEqualTo("2026-12-07T00:00:00Z");
    }
    assertThat(r.at("/commonLabels/budget_node").asText()).isEqualTo("tenant:z/x");
    assertThat(r.get("commonLabels").has("threshold")).isFalse();
    assertThat(f.alerts.firing()).isEmpty();

    // The new day's 50% fires again: a new period.
    f.charge(AlertFixture.X_CAP / 2);
    List<JsonNode> nextDay = round(f);
    assertThat(nextDay).hasSize(1);
    assertThat(nextDay.get(0).at("/alerts/0/labels/period_end").asText())
        .isEqualTo("2026-12-08T00:00:00Z");
    assertThat(nextDay.get(0).at("/alerts/0/fingerprint").asText())
        .isNotEqualTo(a.get("fingerprint").asText());

    // Every change is an ALERT ledger entry, and the ledger verifies. The entries are appended
    // without waiting: wait until the writer has all seven.
    List<String> entries = new ArrayList<>();
    dev.sluice.ledger.Polling.await(
        "seven ALERT entries in the ledger",
        () -> {
          entries.clear();
          entries.addAll(alertEntries(dir));
          return entries.size() >= 7;
        });
    f.store.ledger().checkpointNow();
    assertThat(entries)
        .containsExactly(
            "firing threshold=50%",
            "firing threshold=80%",
            "firing threshold=100%",
            "resolved threshold=50%",
            "resolved threshold=80%",
            "resolved threshold=100%",
            "firing threshold=50%");
    VerifyReport report = LedgerVerifier.verify(dir.resolve("ledger"));
    assertThat(report.ok()).as(report.toString()).isTrue();
  }

  @Test
  void aFailedDeliveryIsRetriedWithBackOffUntilTheReceiverTakesIt() throws Exception {
    AlertFixture f = node("  backoff: { initial: 2s, max: 8s }\n");
    receiver.answer(500, 503);
    f.charge(AlertFixture.X_CAP / 2);
    f.alerts.evaluate();
    f.alerts.deliverDue();
    assertThat(receiver.received())
        .extracting(WebhookReceiver.Received::answered)
        .containsExactly(500);
    f.alerts.deliverDue(); // not due yet: the clock has not moved
    assertThat(receiver.received()).hasSize(1);
    clock.advance(Duration.ofMillis(1999));
    f.alerts.deliverDue();
    assertThat(receiver.received()).hasSize(1);
    clock.advance(Duration.ofMillis(1));
    f.alerts.deliverDue();
    assertThat(receiver.received())
        .extracting(WebhookReceiver.Received::answered)
        .containsExactly(500, 503);
    clock.advance(Duration.ofSeconds(3)); // second back-off is 4 s
    f.alerts.deliverDue();
    assertThat(receiver.received()).hasSize(2);
    clock.advance(Duration.ofSeconds(1));
    f.alerts.deliverDue();
    List<WebhookReceiver.Received> got = receiver.received();
    assertThat(got).extracting(WebhookReceiver.Received::answered).containsExactly(500, 503, 200);
    assertThat(got.get(2).body()).isEqualTo(got.get(0).body());
    assertThat(f.alerts.webhookStats())
        .containsExactly(new Alerting.WebhookStats(receiver.url(), 1, 2, 0, 0));
  }

  @Test
  void aRestartRebuildsTheStateFromTheLedgerAndDoesNotFireAgain() throws Exception {
    AlertFixture first = node("");
    first.charge(AlertFixture.X_CAP * 6 / 10);
    assertThat(round(first)).hasSize(1);
    first.close();
    fixtures.remove(first);

    clock.advance(Duration.ofMinutes(10));
    AlertFixture second = node("");
    assertThat(second.alerts.firing())
        .extracting(x -> x.labels().get("threshold"))
        .containsExactly("50%");
    assertThat(round(second)).isEmpty();
    assertThat(second.alerts.firing()).hasSize(1);

    URI admin = second.startAdmin();
    HttpResponse<String> res = AlertFixture.get(admin.resolve("/api/alerts"));
    assertThat(res.statusCode()).isEqualTo(200);
    JsonNode body = new ObjectMapper().readTree(res.body());
    assertThat(body.get("alerts")).hasSize(1);
    JsonNode a = body.get("alerts").get(0);
    assertThat(a.get("name").asText()).isEqualTo("SluiceBudgetThreshold");
    assertThat(a.get("status").asText()).isEqualTo("firing");
    assertThat(a.get("severity").asText()).isEqualTo("warning");
    assertThat(a.at("/labels/budget_node").asText()).isEqualTo("tenant:z/x");
    assertThat(a.at("/annotations/summary").asText())
        .isEqualTo("tenant:z/x has spent 50% of its day cap");
    assertThat(a.get("startsAt").asText()).isEqualTo("2026-12-06T10:00:00Z");
    assertThat(a.get("endsAt").isNull()).isTrue();
    assertThat(a.get("fingerprint").asText())
        .isEqualTo(second.alerts.firing().get(0).fingerprint());
    assertThat(body.get("recent")).hasSize(1);

    String metrics = AlertFixture.get(admin.resolve("/metrics")).body();
    assertThat(metrics).contains("sluice_alerts_firing{alertname=\"SluiceBudgetThreshold\"} 1.0");
    assertThat(metrics).contains("sluice_alerts_firing{alertname=\"SluiceHalted\"} 0.0");
    assertThat(metrics)
        .contains("sluice_alert_webhook_deliveries_total{webhook=\"" + receiver.url() + "\"} 0.0");
  }

  @Test
  void aCapThatRefusesAWriteIsAt100PercentThoughNotSpentToTheByte() throws Exception {
    AlertFixture f = node("  thresholds: [ 100% ]\n");
    f.spendTo(AlertFixture.X_CAP - 3000);
    dev.sluice.escrow.EscrowAccount a = f.escrow.account(f.tree.path("z", "x", null));
    a.refill(0).join(); // let any proactive refill finish: nothing in flight below
    assertThat(round(f)).isEmpty();
    long remaining = AlertFixture.X_CAP - f.spent();
    assertThat(remaining).isPositive();
    // A write one byte larger than what is held plus what remains: the cap refuses it whole.
    assertThat(a.refill(a.available() + remaining + 1).join().kind())
        .isEqualTo(dev.sluice.escrow.EscrowAccount.Outcome.Kind.DENIED);
    List<JsonNode> fired = round(f);
    assertThat(fired).hasSize(1);
    assertThat(fired.get(0).at("/alerts/0/labels/threshold").asText()).isEqualTo("100%");
    assertThat(f.spent()).isLessThan(AlertFixture.X_CAP);
  }

  @Test
  void haltsFireAndResolve() throws Exception {
    AlertFixture f = node("");
    f.halts.halt(null, "drill", clock.millis());
    List<JsonNode> fired = round(f);
    assertThat(fired).hasSize(1);
    assertThat(fired.get(0).at("/alerts/0/labels/alertname").asText()).isEqualTo("SluiceHalted");
    assertThat(fired.get(0).at("/alerts/0/labels/scope").asText()).isEqualTo("site");
    assertThat(fired.get(0).at("/alerts/0/labels/severity").asText()).isEqualTo("critical");
    assertThat(round(f)).isEmpty();
    f.halts.resume(null);
    List<JsonNode> resolved = round(f);
    assertThat(resolved).hasSize(1);
    assertThat(resolved.get(0).get("status").asText()).isEqualTo("resolved");
  }

  @Test
  void theFingerprintIsAlertmanagers() {
    // FNV-1a 64 of nothing is its offset basis; names and values are hashed in name order.
    assertThat(Alert.fingerprint(java.util.Map.of())).isEqualTo("cbf29ce484222325");
    assertThat(Alert.fingerprint(java.util.Map.of("b", "2", "a", "1")))
        .isEqualTo(Alert.fingerprint(new java.util.TreeMap<>(java.util.Map.of("a", "1", "b", "2"))))
        .isNotEqualTo(Alert.fingerprint(java.util.Map.of("a", "2", "b", "1")));
  }

  @Test
  void iso() {
    assertThat(WebhookPayload.iso(0)).matches(ISO);
  }
}
