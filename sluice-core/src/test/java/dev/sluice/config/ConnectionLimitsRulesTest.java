package dev.sluice.config;

import static dev.sluice.config.ConfigFixture.append;
import static dev.sluice.config.ConfigFixture.errors;
import static dev.sluice.config.ConfigFixture.load;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code timeouts:} and {@code connection_limits:}: defaults when absent, top-level values that
 * each listener inherits, a listener's own sections that override key by key, and errors that name
 * the key and the value.
 */
class ConnectionLimitsRulesTest {

  @Test
  void defaultsWhenAbsent() {
    assertThat(load(ConfigFixture.BASE).listener("api").limits())
        .isEqualTo(ConnectionLimits.DEFAULTS);
    assertThat(ConnectionLimits.DEFAULTS.requestHead()).isEqualTo(Duration.ofSeconds(10));
    assertThat(ConnectionLimits.DEFAULTS.idle()).isEqualTo(Duration.ofSeconds(60));
    assertThat(ConnectionLimits.DEFAULTS.upstreamConnect()).isEqualTo(Duration.ofSeconds(10));
    assertThat(ConnectionLimits.DEFAULTS.upstreamFirstByte()).isEqualTo(Duration.ofMinutes(5));
    assertThat(ConnectionLimits.DEFAULTS.tunnelIdle()).isEqualTo(Duration.ofHours(1));
    assertThat(ConnectionLimits.DEFAULTS.maxPerSource()).isEqualTo(256);
    assertThat(ConnectionLimits.DEFAULTS.maxPerTenant()).isEqualTo(1024);
  }

  @Test
  void aListenerOverridesTheTopLevelKeyByKey() {
    String yaml =
        ConfigFixture.replace(
                "    zone: z\n",
                "    zone: z\n"
                    + "    timeouts: { idle: 5s }\n"
                    + "    connection_limits: { per_tenant: 3 }\n")
            + "timeouts: { request_head: 2s, idle: 90s }\n"
            + "connection_limits: { per_source: 7 }\n";
    ConnectionLimits l = load(yaml).listener("api").limits();
    assertThat(l.requestHead()).isEqualTo(Duration.ofSeconds(2)); // top level
    assertThat(l.idle()).isEqualTo(Duration.ofSeconds(5)); // the listener's own
    assertThat(l.upstreamConnect()).isEqualTo(ConnectionLimits.DEFAULT_UPSTREAM_CONNECT);
    assertThat(l.maxPerSource()).isEqualTo(7);
    assertThat(l.maxPerTenant()).isEqualTo(3);
  }

  @Test
  void errorsNameTheKeyAndTheValue() {
    assertThat(
            errors(
                append(
                    "timeouts:\n"
                        + "  request_head: 50ms\n"
                        + "  idle: 2h\n"
                        + "  tunnel_idle: soon\n"
                        + "  read: 5s\n"
                        + "connection_limits: { per_source: 0 }\n")))
        .containsExactlyInAnyOrder(
            "t.yaml:20: timeouts.request_head: must be between 100ms and 10m (got 50ms)",
            "t.yaml:21: timeouts.idle: must be between 100ms and 1h (got 2h)",
            "t.yaml:22: timeouts.tunnel_idle: not a duration; expected a whole number and a unit,"
                + " e.g. 500ms, 30s, 5m, 1h, 1d (got soon)",
            "t.yaml:23: timeouts.read: unknown key (allowed here: request_head, idle,"
                + " upstream_connect, upstream_first_byte, tunnel_idle)",
            "t.yaml:24: connection_limits.per_source: must be between 1 and 1000000 (got 0)");
  }

  @Test
  void aListenerErrorNamesTheListenerPath() {
    assertThat(
            errors(
                ConfigFixture.replace(
                    "    zone: z\n", "    zone: z\n    timeouts: { upstream_connect: 1h }\n")))
        .containsExactly(
            "t.yaml:19: listeners[0].timeouts.upstream_connect: must be between 100ms and 5m"
                + " (got 1h)");
  }
}
