package dev.sluice.config;

import static dev.sluice.config.ConfigFixture.append;
import static dev.sluice.config.ConfigFixture.errors;
import static dev.sluice.config.ConfigFixture.load;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code alerts} section: defaults, and every error naming its key and value. */
class AlertsRulesTest {

  @Test
  void absentMeansNoAlertingAndEmptyMeansDefaults() {
    assertThat(load(append("")).alerts()).isNull();
    AlertsConfig a = load(append("alerts: {}\n")).alerts();
    assertThat(a).isEqualTo(AlertsConfig.defaults());
    assertThat(a.thresholdsPercent()).containsExactly(50, 80, 100);
    assertThat(a.webhooks()).isEmpty();
  }

  @Test
  void webhooksAndThresholds() {
    AlertsConfig a =
        load(append(
                "alerts:\n  webhooks: [ { url: \"http://127.0.0.1:9/h\" } ]\n"
                    + "  thresholds: [ 10, 95% ]\n"))
            .alerts();
    assertThat(a.webhooks())
        .containsExactly(
            new AlertsConfig.Webhook(
                URI.create("http://127.0.0.1:9/h"), AlertsConfig.DEFAULT_WEBHOOK_TIMEOUT));
    assertThat(a.thresholdsPercent()).isEqualTo(List.of(10, 95));
  }

  @Test
  void errorsNameTheKeyAndTheValue() {
    assertThat(errors(append("alerts:\n  webhooks: [ { url: \"ftp://x/h\" } ]\n")))
        .containsExactly(
            "t.yaml:20: alerts.webhooks[0].url: must be an http:// or https:// URL such as"
                + " http://alertmanager:9093/api/v2/alerts (got ftp://x/h)");
    assertThat(errors(append("alerts:\n  thresholds: [ 80%, 50% ]\n")))
        .containsExactly(
            "t.yaml:20: alerts.thresholds[1]: thresholds must be ascending and distinct, e.g. [ 50%,"
                + " 80%, 100% ] (got 50%)");
    assertThat(errors(append("alerts:\n  thresholds: [ 120% ]\n")))
        .containsExactly(
            "t.yaml:20: alerts.thresholds[0]: must be between 1 and 100 percent (got 120%)");
    assertThat(errors(append("alerts:\n  rate: { window: 1m, trailing: 90s }\n")))
        .containsExactly(
            "t.yaml:20: alerts.rate.trailing: must be at least twice alerts.rate.window (1m): the"
                + " trailing average is what the window's rate is compared with (got 90s)");
    assertThat(errors(append("alerts:\n  rate: { multiple: 1 }\n")))
        .containsExactly("t.yaml:20: alerts.rate.multiple: must be between 2 and 1000000 (got 1)");
    assertThat(errors(append("alerts:\n  checkpoint_max_age: 1s\n")))
        .containsExactly(
            "t.yaml:20: alerts.checkpoint_max_age: must be longer than"
                + " ledger.checkpoint_interval (1s), or every checkpoint would be late (got 1s)");
    assertThat(errors(append("alerts:\n  backoff: { initial: 2s, max: 1s }\n")))
        .containsExactly(
            "t.yaml:20: alerts.backoff.max: must be at least alerts.backoff.initial (2s) (got 1s)");
    assertThat(errors(append("alerts:\n  hooks: []\n")))
        .containsExactly(
            "t.yaml:20: alerts.hooks: unknown key (allowed here: webhooks, thresholds, interval,"
                + " rate, incompressible, checkpoint_max_age, backoff, queue, external_url)");
  }

  @Test
  void incompressibleDefaultsOffAndValues() {
    assertThat(load(append("alerts: {}\n")).alerts().incompressible())
        .isEqualTo(new AlertsConfig.Incompressible(Duration.ofMinutes(10), 0.85, 50_000_000));
    assertThat(load(append("alerts: { incompressible: false }\n")).alerts().incompressible())
        .isNull();
    assertThat(load(append("alerts: { incompressible: true }\n")).alerts().incompressible())
        .isEqualTo(AlertsConfig.Incompressible.DEFAULTS);
    assertThat(
            load(append("alerts:\n  incompressible: { window: 30s, ratio: 90%, min_bytes: 1MB }\n"))
                .alerts()
                .incompressible())
        .isEqualTo(new AlertsConfig.Incompressible(Duration.ofSeconds(30), 0.9, 1_000_000));
    assertThat(
            load(append("alerts:\n  incompressible: { ratio: 0.95 }\n")).alerts().incompressible())
        .isEqualTo(new AlertsConfig.Incompressible(Duration.ofMinutes(10), 0.95, 50_000_000));
  }

  @Test
  void incompressibleErrorsNameTheKeyAndTheValue() {
    assertThat(errors(append("alerts:\n  incompressible: { ratio: 1.5 }\n")))
        .containsExactly(
            "t.yaml:20: alerts.incompressible.ratio: must be between 0.1 and 1 (the compressed size"
                + " over the raw size) (got 1.5)");
    assertThat(errors(append("alerts:\n  incompressible: { ratio: high }\n")))
        .containsExactly(
            "t.yaml:20: alerts.incompressible.ratio: expected a ratio such as 0.85 or 85% (got"
                + " high)");
    assertThat(errors(append("alerts:\n  incompressible: { window: 0s }\n")))
        .containsExactly(
            "t.yaml:20: alerts.incompressible.window: must be between 1s and 1d (got 0s)");
    assertThat(errors(append("alerts:\n  incompressible: { min: 1MB }\n")))
        .containsExactly(
            "t.yaml:20: alerts.incompressible.min: unknown key (allowed here: window, ratio,"
                + " min_bytes)");
    assertThat(
            ConfigFixture.warnings(
                append(
                    "alerts: { interval: 1m, rate: { window: 2m }, incompressible: { window: 1m } }\n")))
        .containsExactly(
            "t.yaml:19: alerts.incompressible: warning: alerts.incompressible.window (1m) is"
                + " shorter than two alerts.interval (1m): the window holds fewer than two samples");
  }

  @Test
  void aRateWindowShorterThanTwoIntervalsIsAWarning() {
    assertThat(ConfigFixture.warnings(append("alerts: { interval: 1m, rate: { multiple: 3 } }\n")))
        .containsExactly(
            "t.yaml:19: alerts.rate: warning: alerts.rate.window (1m) is shorter than two"
                + " alerts.interval (1m): the window's rate is measured over fewer than two samples");
  }

  @Test
  void rateDefaults() {
    assertThat(load(append("alerts: { rate: { multiple: 3 } }\n")).alerts().rate())
        .isEqualTo(
            new AlertsConfig.Rate(
                3,
                Duration.ofMinutes(1),
                Duration.ofHours(1),
                AlertsConfig.Rate.DEFAULT_MIN_BYTES_PER_SECOND));
  }
}
