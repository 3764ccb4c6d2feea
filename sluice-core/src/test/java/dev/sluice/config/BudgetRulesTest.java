package dev.sluice.config;

import static dev.sluice.config.ConfigFixture.BASE;
import static dev.sluice.config.ConfigFixture.errors;
import static dev.sluice.config.ConfigFixture.load;
import static dev.sluice.config.ConfigFixture.replace;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.time.Window;
import org.junit.jupiter.api.Test;

/** budgets: limits, caps, control allowance, zones, tenants, destinations. */
class BudgetRulesTest {

  @Test
  void capsAcceptEverySizeForm() {
    SluiceConfig c = load(replace("cap: 100MB", "cap: 0.5% weights"));
    assertThat(c.budgets().limits().get(0).capBytes()).isEqualTo(5_000_000);
    assertThat(c.budgets().limits().get(0).capText()).isEqualTo("0.5% weights");
    assertThat(load(replace("cap: 100MB", "cap: 2x weights")).budgets().limits().get(0).capBytes())
        .isEqualTo(2_000_000_000L);
    assertThat(load(replace("cap: 100MB", "cap: 64MiB")).budgets().limits().get(0).capBytes())
        .isEqualTo(64L << 20);
    assertThat(load(replace("cap: 100MB", "cap: 1000")).budgets().limits().get(0).capBytes())
        .isEqualTo(1000);
    assertThat(load(replace("cap: 100MB", "cap: 0")).budgets().limits().get(0).capBytes()).isZero();
  }

  @Test
  void capUnitsAreCaseSensitive() {
    assertThat(errors(replace("cap: 100MB", "cap: 10gb")))
        .containsExactly(
            "t.yaml:7: budgets.limits[0].cap: unknown unit \"gb\"; units are case-sensitive, did"
                + " you mean GB? (got 10gb)");
    assertThat(errors(replace("cap: 10MB", "cap: 10Mb")))
        .containsExactly(
            "t.yaml:12: budgets.zones.z.tenants.default.limits[0].cap: unknown unit \"Mb\"; units"
                + " are case-sensitive, did you mean MB? (got 10Mb)");
  }

  @Test
  void capsCannotBeNegativeOrOverflow() {
    assertThat(errors(replace("cap: 100MB", "cap: -1")))
        .containsExactly("t.yaml:7: budgets.limits[0].cap: a size cannot be negative (got -1)");
    assertThat(errors(replace("cap: 100MB", "cap: 10000000TB")))
        .containsExactly(
            "t.yaml:7: budgets.limits[0].cap: too large: a size must fit in 64 bits (at most"
                + " 9223372036854775807 bytes) (got 10000000TB)");
    assertThat(errors(replace("cap: 100MB", "cap: 10000000000x weights")))
        .containsExactly(
            "t.yaml:7: budgets.limits[0].cap: too large: a size must fit in 64 bits (at most"
                + " 9223372036854775807 bytes) (got 10000000000x weights)");
  }

  @Test
  void limitItems() {
    assertThat(errors(replace("{ window: day, cap: 100MB }", "{ cap: 100MB }")))
        .containsExactly("t.yaml:7: budgets.limits[0].window: is required");
    assertThat(errors(replace("{ window: day, cap: 100MB }", "{ window: day }")))
        .containsExactly("t.yaml:7: budgets.limits[0].cap: is required");
    assertThat(errors(replace("window: day, cap: 100MB", "window: hour, cap: 100MB")))
        .containsExactly(
            "t.yaml:7: budgets.limits[0].window: unknown window 'hour' (expected day, week, month"
                + " or lifetime) (got hour)");
  }

  @Test
  void eachWindowAtMostOncePerNode() {
    assertThat(
            errors(
                replace(
                    "[ { window: day, cap: 50MB } ]",
                    "[ { window: day, cap: 50MB }, { window: week, cap: 1GB }, { window: day, cap:"
                        + " 1MB } ]")))
        .containsExactly(
            "t.yaml:10: budgets.zones.z.limits[2].window: a node has at most one day limit (first"
                + " on line 10) (got day)");
  }

  @Test
  void siteLimitsAreRequired() {
    assertThat(errors(replace("  limits:\n    - { window: day, cap: 100MB }\n", "")))
        .containsExactly("t.yaml:5: budgets.limits: is required");
    assertThat(errors(replace("  limits:\n    - { window: day, cap: 100MB }\n", "  limits: []\n")))
        .containsExactly("t.yaml:6: budgets.limits: the site needs at least one limit (got [])");
  }

  @Test
  void zoneLimitsAreOptional() {
    SluiceConfig c = load(replace("      limits: [ { window: day, cap: 50MB } ]\n", ""));
    assertThat(c.zone("z").limits()).isEmpty();
  }

  @Test
  void controlAllowance() {
    String with = replace("  zones:\n", "  control_allowance: 64KiB\n  zones:\n");
    assertThat(load(with).budgets().controlAllowanceBytes()).isEqualTo(65_536);
    assertThat(errors(replace("  zones:\n", "  control_allowance: -1KiB\n  zones:\n")))
        .containsExactly(
            "t.yaml:8: budgets.control_allowance: a size cannot be negative (got -1KiB)");
  }

  @Test
  void zonesAreRequired() {
    String noZones = BASE.substring(0, BASE.indexOf("  zones:")) + "  zones: {}\n";
    assertThat(errors(noZones + BASE.substring(BASE.indexOf("listeners:"))))
        .containsExactly("t.yaml:8: budgets.zones: at least one zone is required (got {})");
  }

  @Test
  void zoneNameRules() {
    assertThat(
            errors(
                replace(replace(BASE, "    z:\n", "    \"z:1\":\n"), "zone: z", "zone: \"z:1\"")))
        .containsExactly(
            "t.yaml:9: budgets.zones[\"z:1\"]: invalid zone name: ':' and '/' are not allowed"
                + " (names become node ids such as zone:NAME and tenant:ZONE/NAME) (got z:1)");
  }

  @Test
  void aZoneNeedsATenant() {
    assertThat(
            errors(
                replace(
                    "      tenants:\n        default: { limits: [ { window: day, cap: 10MB } ] }\n",
                    "")))
        .containsExactly("t.yaml:9: budgets.zones.z.tenants: is required");
    assertThat(
            errors(
                replace(
                    "      tenants:\n        default: { limits: [ { window: day, cap: 10MB } ] }\n",
                    "      tenants: {}\n")))
        .containsExactly(
            "t.yaml:11: budgets.zones.z.tenants: a zone needs at least one tenant (got {})");
  }

  @Test
  void tenants() {
    SluiceConfig c = load(replace("        default: {", "        acme: {}\n        default: {"));
    assertThat(c.zone("z").tenants().keySet()).containsExactly("acme", "default");
    assertThat(c.zone("z").tenants().get("acme").limits()).isEmpty();
    assertThat(errors(replace("        default: {", "        acme:\n        default: {")))
        .containsExactly(
            "t.yaml:12: budgets.zones.z.tenants.acme: expected a map; write {} for no limits of"
                + " its own (got null)");
    assertThat(errors(replace("        default: {", "        \"a/b\": {}\n        default: {")))
        .containsExactly(
            "t.yaml:12: budgets.zones.z.tenants[\"a/b\"]: invalid tenant name: ':' and '/' are not"
                + " allowed (names become node ids such as zone:NAME and tenant:ZONE/NAME) (got"
                + " a/b)");
    assertThat(errors(replace("{ limits: [ { window: day, cap: 10MB } ] }", "{ limit: [] }")))
        .containsExactly(
            "t.yaml:12: budgets.zones.z.tenants.default.limit: unknown key; did you mean limits?"
                + " (allowed here: limits)");
  }

  @Test
  void destinations() {
    String yaml =
        replace(
            "      tenants:\n",
            "      destinations:\n"
                + "        api.example.com: {}\n"
                + "        \"*.corp.example\": { limits: [ { window: day, cap: 1MB } ] }\n"
                + "      tenants:\n");
    ZoneConfig z = load(yaml).zone("z");
    assertThat(z.destinations().keySet()).containsExactly("api.example.com", "*.corp.example");
    assertThat(z.destinations().get("*.corp.example").limits())
        .containsExactly(new LimitConfig(Window.DAY, 1_000_000, "1MB"));
  }

  @Test
  void destinationPatternRules() {
    String yaml =
        replace(
            "      tenants:\n",
            "      destinations:\n"
                + "        API.Example.com: {}\n"
                + "        example.com.: {}\n"
                + "        10.0.0.1: {}\n"
                + "        \"[::1]\": {}\n"
                + "        a..b: {}\n"
                + "        \"*\": {}\n"
                + "      tenants:\n");
    assertThat(errors(yaml))
        .containsExactly(
            "t.yaml:12: budgets.zones.z.destinations[\"API.Example.com\"]: invalid destination"
                + " pattern: use lower case (api.example.com) (got API.Example.com)",
            "t.yaml:13: budgets.zones.z.destinations[\"example.com.\"]: invalid destination"
                + " pattern: remove the trailing dot (got example.com.)",
            "t.yaml:14: budgets.zones.z.destinations[\"10.0.0.1\"]: invalid destination pattern:"
                + " IP literals are not allowed; use a host name (got 10.0.0.1)",
            "t.yaml:15: budgets.zones.z.destinations[\"[::1]\"]: invalid destination pattern: IP"
                + " literals, brackets and ports are not allowed; use a host name (got [::1])",
            "t.yaml:16: budgets.zones.z.destinations[\"a..b\"]: invalid destination pattern:"
                + " empty label (two dots in a row, or a leading dot) (got a..b)",
            "t.yaml:17: budgets.zones.z.destinations[\"*\"]: invalid destination pattern: '*' is"
                + " only allowed as the whole first label, e.g. *.example.com (got *)");
  }

  @Test
  void unknownDestinations() {
    String allow =
        replace("      tenants:\n", "      unknown_destinations: allow\n      tenants:\n");
    assertThat(load(allow).zone("z").allowUnknownDestinations()).isTrue();
    String deny = replace("      tenants:\n", "      unknown_destinations: deny\n      tenants:\n");
    assertThat(load(deny).zone("z").allowUnknownDestinations()).isFalse();
    String bad = replace("      tenants:\n", "      unknown_destinations: yes\n      tenants:\n");
    assertThat(errors(bad))
        .containsExactly(
            "t.yaml:11: budgets.zones.z.unknown_destinations: must be one of deny, allow (got"
                + " yes)");
  }
}
