package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Every error of a broken file is reported at once, in line order; nothing stops at the first. */
class ManyErrorsTest {

  private static final String BROKEN =
      """
      escrow: { grant_ttl: 2h }
      site: quick/start
      model:
        name: demo
        weight_bytes: 810gb
      mode: Report
      budgets:
        limits:
          - { window: day, cap: -1MB }
          - { window: day, cap: 1GB }
        zones:
          inference:
            limits: [ { window: fortnight, cap: 500MB } ]
            tenants:
              default: { limits: [ { window: day, cap: 10 MB } ] }
              acme: { limit: [] }
            destinations:
              "API.example.com": {}
      listeners:
        - name: api
          mode: reverse
          bind: 127.0.0.1:80800
          zone: inference
          tenants_by_source: { "10.0.0.0/8": default }
        - name: api
          mode: forward
          bind: 127.0.0.1:3128
          zone: nowhere
      store: { type: etcd }
      extra: true
      """;

  @Test
  void reportsEveryErrorInLineOrder() {
    ConfigResult r = ConfigLoader.parse("broken.yaml", BROKEN);
    assertThat(r.config()).isNull();
    assertThat(r.warnings()).isEmpty();
    assertThat(r.errors())
        .extracting(ConfigProblem::format)
        .containsExactly(
            "broken.yaml:1: escrow.grant_ttl: must be between 1s and 1h (got 2h)",
            "broken.yaml:2: site: invalid site name: ':' and '/' are not allowed (names become node"
                + " ids such as zone:NAME and tenant:ZONE/NAME) (got quick/start)",
            "broken.yaml:5: model.weight_bytes: unknown unit \"gb\"; units are case-sensitive, did"
                + " you mean GB? (got 810gb)",
            "broken.yaml:6: mode: must be one of enforce, report; values are lower case: report"
                + " (got Report)",
            "broken.yaml:9: budgets.limits[0].cap: a size cannot be negative (got -1MB)",
            "broken.yaml:10: budgets.limits[1].window: a node has at most one day limit (first on"
                + " line 9) (got day)",
            "broken.yaml:13: budgets.zones.inference.limits[0].window: unknown window 'fortnight'"
                + " (expected day, week, month or lifetime) (got fortnight)",
            "broken.yaml:16: budgets.zones.inference.tenants.acme.limit: unknown key; did you mean"
                + " limits? (allowed here: limits)",
            "broken.yaml:18: budgets.zones.inference.destinations[\"API.example.com\"]: invalid"
                + " destination pattern: use lower case (api.example.com) (got API.example.com)",
            "broken.yaml:20: listeners[0].upstream: is required",
            "broken.yaml:22: listeners[0].bind: the port must be a number 0..65535 (got"
                + " 127.0.0.1:80800)",
            "broken.yaml:24: listeners[0].tenants_by_source: only allowed for forward and tcp"
                + " listeners (this one is reverse)",
            "broken.yaml:25: listeners[1].name: listener names must be unique (first on line 20)"
                + " (got api)",
            "broken.yaml:28: listeners[1].zone: unknown zone (zones: inference) (got nowhere)",
            "broken.yaml:29: store.type: an etcd store needs node_id at the top level: a name"
                + " unique to this gateway node, e.g. node_id: gw-1 (got etcd)",
            "broken.yaml:29: store.endpoints: is required",
            "broken.yaml:30: extra: unknown key (allowed here: site, node_id, model, time_zone, mode,"
                + " data_dir, budgets, listeners, admin, store, ledger, escrow, codec, change_control, timeouts,"
                + " connection_limits, alerts, detection, logging)");
    assertThat(r.errors()).extracting(ConfigProblem::line).isSorted();
    assertThat(r.errors()).allSatisfy(p -> assertThat(p.source()).isEqualTo("broken.yaml"));
  }

  @Test
  void problemFieldsAreSeparate() {
    ConfigProblem p =
        ConfigLoader.parse("broken.yaml", BROKEN).errors().stream()
            .filter(e -> e.path().equals("model.weight_bytes"))
            .findFirst()
            .orElseThrow();
    assertThat(p.line()).isEqualTo(5);
    assertThat(p.got()).isEqualTo("810gb");
    assertThat(p.severity()).isEqualTo(ConfigProblem.Severity.ERROR);
    assertThat(p.message())
        .isEqualTo("unknown unit \"gb\"; units are case-sensitive, did you mean GB?");
  }

  @Test
  void warningFormat() {
    ConfigProblem w =
        new ConfigProblem("f.yaml", 3, "mode", "loud", null, ConfigProblem.Severity.WARNING);
    assertThat(w.format()).isEqualTo("f.yaml:3: mode: warning: loud");
    ConfigProblem noLine =
        new ConfigProblem("f.yaml", 0, "", "gone", "x", ConfigProblem.Severity.ERROR);
    assertThat(noLine.format()).isEqualTo("f.yaml: gone (got x)");
  }
}
