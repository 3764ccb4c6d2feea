package dev.sluice.config;

import static dev.sluice.config.ConfigFixture.BASE;
import static dev.sluice.config.ConfigFixture.replace;
import static dev.sluice.config.ConfigFixture.warnings;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A child cap above its parent's cap for a window at least as long is a warning, not an error. */
class CapWarningsTest {

  @Test
  void zoneAboveSite() {
    String yaml = replace("[ { window: day, cap: 50MB } ]", "[ { window: day, cap: 200MB } ]");
    assertThat(ConfigFixture.parse(yaml).ok()).isTrue();
    assertThat(warnings(yaml))
        .containsExactly(
            "t.yaml:10: budgets.zones.z.limits[0].cap: warning: day cap 200 MB is larger than the"
                + " site day cap 100 MB at budgets.limits[0].cap; the site cap is reached first");
  }

  @Test
  void tenantAboveZone() {
    assertThat(warnings(replace("cap: 10MB", "cap: 60MB")))
        .containsExactly(
            "t.yaml:12: budgets.zones.z.tenants.default.limits[0].cap: warning: day cap 60 MB is"
                + " larger than the zone z day cap 50 MB at budgets.zones.z.limits[0].cap; the"
                + " zone z cap is reached first");
  }

  @Test
  void destinationAboveZone() {
    String yaml =
        replace(
            "      tenants:\n",
            "      destinations:\n"
                + "        \"*.x.example\": { limits: [ { window: week, cap: 1GB } ] }\n"
                + "      tenants:\n");
    String longer =
        replace(
            yaml,
            "[ { window: day, cap: 50MB } ]",
            "[ { window: day, cap: 50MB }, { window: month, cap: 500MB } ]");
    assertThat(warnings(longer))
        .containsExactly(
            "t.yaml:12: budgets.zones.z.destinations[\"*.x.example\"].limits[0].cap: warning: week"
                + " cap 1 GB is larger than the zone z month cap 500 MB at"
                + " budgets.zones.z.limits[1].cap; the zone z cap is reached first");
  }

  @Test
  void comparesAgainstTheTightestLongerParentWindow() {
    String yaml =
        replace(
            replace(
                BASE,
                "    - { window: day, cap: 100MB }\n",
                "    - { window: day, cap: 100MB }\n"
                    + "    - { window: week, cap: 300MB }\n"
                    + "    - { window: lifetime, cap: 1x weights }\n"),
            "[ { window: day, cap: 50MB } ]",
            "[ { window: day, cap: 400MB } ]");
    assertThat(warnings(yaml))
        .containsExactly(
            "t.yaml:12: budgets.zones.z.limits[0].cap: warning: day cap 400 MB is larger than the"
                + " site day cap 100 MB at budgets.limits[0].cap; the site cap is reached first");
  }

  @Test
  void showsRelativeCapsAsWritten() {
    String yaml =
        replace("[ { window: day, cap: 50MB } ]", "[ { window: lifetime, cap: 2x weights } ]");
    String withSiteLifetime =
        replace(
            yaml,
            "    - { window: day, cap: 100MB }\n",
            "    - { window: day, cap: 100MB }\n    - { window: lifetime, cap: 150% weights }\n");
    assertThat(warnings(withSiteLifetime))
        .containsExactly(
            "t.yaml:11: budgets.zones.z.limits[0].cap: warning: lifetime cap 2 GB (2x weights) is"
                + " larger than the site lifetime cap 1.5 GB (150% weights) at"
                + " budgets.limits[1].cap; the site cap is reached first");
  }

  @Test
  void noWarningWhenTheChildWindowIsLonger() {
    // A month cap above a parent's day cap is normal: the month spans many days.
    String yaml = replace("[ { window: day, cap: 10MB } ]", "[ { window: month, cap: 1GB } ]");
    assertThat(warnings(yaml)).isEmpty();
  }

  @Test
  void noWarningForEqualCaps() {
    assertThat(warnings(replace("cap: 10MB", "cap: 50MB"))).isEmpty();
  }
}
