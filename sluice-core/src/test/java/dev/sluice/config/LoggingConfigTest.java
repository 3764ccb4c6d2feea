package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue 18: {@code logging: { format: text | json }}, errors naming the key and the value. */
class LoggingConfigTest {

  private static final String BASE =
      """
      site: t
      model: { name: m, weight_bytes: 1GB }
      budgets:
        limits: [ { window: day, cap: 100MB } ]
        zones:
          z:
            tenants: { default: {} }
      listeners:
        - { name: api, mode: reverse, bind: 127.0.0.1:0, upstream: http://127.0.0.1:8000, zone: z }
      """;

  private static ConfigResult parse(String extra) {
    return ConfigLoader.parse("t.yaml", BASE + extra);
  }

  @Test
  void textIsTheDefaultAndJsonIsAccepted() {
    assertThat(parse("").config().logging()).isEqualTo(LoggingConfig.DEFAULT);
    assertThat(parse("").config().logging().format()).isEqualTo(LoggingConfig.Format.TEXT);
    ConfigResult json = parse("logging: { format: json }\n");
    assertThat(json.warnings()).isEmpty();
    assertThat(json.config().logging().format()).isEqualTo(LoggingConfig.Format.JSON);
    assertThat(parse("logging: { format: text }\n").config().logging())
        .isEqualTo(LoggingConfig.DEFAULT);
    assertThat(parse("logging: {}\n").config().logging()).isEqualTo(LoggingConfig.DEFAULT);
  }

  @Test
  void aWrongFormatOrKeyIsAnErrorNamingItAndTheValue() {
    ConfigResult r = parse("logging: { format: xml }\n");
    assertThat(r.ok()).isFalse();
    assertThat(r.errors().get(0).format())
        .isEqualTo("t.yaml:10: logging.format: must be one of text, json (got xml)");
    ConfigResult upper = parse("logging: { format: JSON }\n");
    assertThat(upper.errors().get(0).format())
        .contains("logging.format: must be one of text, json; values are lower case: json");
    ConfigResult key = parse("logging: { fromat: json }\n");
    assertThat(key.ok()).isFalse();
    assertThat(key.errors().get(0).format()).startsWith("t.yaml:10: logging.fromat: ");
  }
}
