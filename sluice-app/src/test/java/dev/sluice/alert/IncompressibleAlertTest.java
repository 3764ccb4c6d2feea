package dev.sluice.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.stats.ProbeStats;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerReader;
import dev.sluice.time.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incompressible-egress alert on the probe's counters of tenant {@code z/x}: with a 1-minute
 * window, a 0.85 ratio and 1 MB floor it fires for a sustained stream estimated at 0.99, not for
 * text (0.6) nor for a little incompressible data, resolves when the stream stops, and each change
 * is an ALERT ledger entry. A manual clock moves 5 s per evaluation.
 */
class IncompressibleAlertTest {

  @TempDir Path dir;

  private final ManualClock clock = ManualClock.at("2026-12-06T10:00:00Z");

  /** Sends {@code perSecond} at {@code ratio} for {@code seconds}, evaluating every 5 s. */
  private List<Alert> run(AlertFixture f, int seconds, long perSecond, double ratio) {
    ProbeStats.Tenant x = f.stats.probe().tenant("tenant:z/x");
    List<Alert> changes = new ArrayList<>();
    for (int t = 0; t < seconds; t += 5) {
      x.add(5 * perSecond, Math.round(5 * perSecond * ratio));
      clock.advance(Duration.ofSeconds(5));
      changes.addAll(
          f.alerts.evaluate().stream()
              .filter(a -> a.name().equals(IncompressibleConditions.NAME))
              .toList());
    }
    return changes;
  }

  @Test
  void aSustainedIncompressibleStreamFiresAndTextOrALittleDoesNot() throws Exception {
    try (AlertFixture f =
        new AlertFixture(
            dir,
            clock,
            "alerts: { incompressible: { window: 1m, ratio: 0.85, min_bytes: 1MB } }")) {
      f.alerts.evaluate();
      // 5 MB a minute of text: plenty of bytes, but they compress
      assertThat(run(f, 300, 100_000, 0.6)).isEmpty();
      // random bytes, but 600 kB a minute: below the floor
      assertThat(run(f, 300, 10_000, 0.99)).isEmpty();
      // now 50 kB/s of random bytes: 1 MB within the window after 20 s
      List<Alert> fired = run(f, 60, 50_000, 0.99);
      assertThat(fired).hasSize(1);
      Alert a = fired.get(0);
      assertThat(a.status()).isEqualTo(Alert.Status.FIRING);
      assertThat(a.labels())
          .containsEntry("alertname", "SluiceIncompressibleEgress")
          .containsEntry("severity", "warning")
          .containsEntry("zone", "z")
          .containsEntry("tenant", "x");
      assertThat(a.annotations().get("description"))
          .startsWith("tenant:z/x: ")
          .contains("over the last 1m")
          .contains("alert above 0.85 and at least 1000000 bytes");
      assertThat(run(f, 60, 50_000, 0.99)).isEmpty(); // still firing: nothing new
      // the stream stops: resolved once the window holds less than the floor
      List<Alert> quiet = run(f, 60, 0, 0);
      assertThat(quiet).extracting(Alert::status).containsExactly(Alert.Status.RESOLVED);

      // ALERT entries are appended without waiting: wait until the writer has both.
      List<String> entries = new ArrayList<>();
      dev.sluice.ledger.Polling.await(
          "both ALERT entries in the ledger",
          () -> {
            entries.clear();
            entries.addAll(statuses(dir, "incompressible|tenant:z/x"));
            return entries.size() >= 2;
          });
      assertThat(entries).containsExactly("firing", "resolved");
    }
  }

  /** The status of every ALERT entry of {@code key} the ledger holds now, in order. */
  private static List<String> statuses(Path dir, String key) {
    List<String> out = new ArrayList<>();
    try (LedgerReader reader = LedgerReader.open(dir)) {
      reader.forEach(
          e -> {
            if (e.entry().type() == EntryType.ALERT && e.entry().getString("key").equals(key)) {
              out.add(e.entry().getString("status"));
            }
          });
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }

  @Test
  void aTenantFirstSeenBetweenEvaluationsCountsFromZero() throws Exception {
    try (AlertFixture f =
        new AlertFixture(
            dir, clock, "alerts: { incompressible: { window: 1m, ratio: 0.9, min_bytes: 1MB } }")) {
      f.alerts.evaluate();
      clock.advance(Duration.ofSeconds(5));
      f.stats.probe().tenant("tenant:z/x").add(2_000_000, 1_990_000);
      assertThat(f.alerts.evaluate())
          .extracting(Alert::name)
          .containsExactly(IncompressibleConditions.NAME);
    }
  }

  @Test
  void offMeansNothing() throws Exception {
    try (AlertFixture f = new AlertFixture(dir, clock, "alerts: { incompressible: false }")) {
      f.alerts.evaluate();
      assertThat(run(f, 120, 1_000_000, 1.0)).isEmpty();
    }
  }
}
