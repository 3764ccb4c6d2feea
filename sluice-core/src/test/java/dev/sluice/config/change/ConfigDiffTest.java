package dev.sluice.config.change;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {

  static final String BASE =
      """
      site: t
      model: { name: m, weight_bytes: 1GB }
      budgets:
        limits: [ { window: day, cap: 100MB }, { window: week, cap: 300MB } ]
        zones:
          z:
            limits: [ { window: day, cap: 50MB } ]
            tenants:
              default: { limits: [ { window: day, cap: 10MB } ] }
            destinations:
              api.example.com: { limits: [ { window: day, cap: 5MB } ] }
      listeners:
        - { name: api, mode: reverse, bind: 127.0.0.1:0, upstream: http://127.0.0.1:8000, zone: z }
      """;

  static SluiceConfig load(String yaml) {
    return ConfigLoader.parse("t.yaml", yaml).orThrow();
  }

  @Test
  void looseningDetectionIsListedAndTighteningItIsNot() {
    String blocking = BASE + "detection: { index: w.sfi, tensors: true, action: block }\n";
    String alerting = BASE + "detection: { index: w.sfi, tensors: true, action: alert }\n";
    assertThat(ConfigDiff.loosenings(load(BASE), load(blocking))).isEmpty();
    assertThat(ConfigDiff.loosenings(load(alerting), load(blocking))).isEmpty();
    assertThat(ConfigDiff.loosenings(load(blocking), load(alerting)))
        .containsExactly(
            "detection.action: block -> alert (weights found would leave)",
            "budgets.zones.z.detection.action: block -> alert (weights found would leave)");
    String zoneOff =
        edit(
            blocking,
            "        default: { limits: [ { window: day, cap: 10MB } ] }\n",
            "        default: { limits: [ { window: day, cap: 10MB } ] }\n"
                + "      detection: { index: none, tensors: false }\n");
    assertThat(ConfigDiff.loosenings(load(blocking), load(zoneOff)))
        .containsExactly("budgets.zones.z.detection: off (nothing is scanned)");
    String noTensors = edit(blocking, "tensors: true", "tensors: false");
    assertThat(ConfigDiff.loosenings(load(blocking), load(noTensors)))
        .containsExactly(
            "detection.tensors: true -> false (turns the tensor detector off)",
            "budgets.zones.z.detection.tensors: true -> false (turns the tensor detector off)");
    assertThat(ConfigDiff.loosenings(load(blocking), load(BASE)))
        .containsExactly(
            "detection: off (nothing is scanned)",
            "budgets.zones.z.detection: off (nothing is scanned)");
  }

  @Test
  void theSameConfigurationLoosensNothing() {
    assertThat(ConfigDiff.loosenings(load(BASE), load(BASE))).isEmpty();
    assertThat(ConfigDiff.restartOnly(load(BASE), load(BASE))).isEmpty();
  }

  /** {@code yaml} with {@code from}, which must occur, replaced by {@code to}. */
  static String edit(String yaml, String from, String to) {
    assertThat(yaml).contains(from);
    return yaml.replace(from, to);
  }

  @Test
  void tighteningLoosensNothing() {
    String yaml = edit(BASE, "cap: 100MB", "cap: 90MB");
    yaml =
        edit(
            yaml,
            "{ window: day, cap: 10MB }",
            "{ window: day, cap: 1MB }, { window: week, cap: 1MB }");
    yaml = edit(yaml, "cap: 5MB", "cap: 4MB");
    assertThat(ConfigDiff.loosenings(load(BASE), load(yaml))).isEmpty();
    // A destination that was not there before is a loosening even when all else tightens.
    String other = edit(BASE, "api.example.com: { limits", "other.example.com: { limits");
    assertThat(ConfigDiff.loosenings(load(BASE), load(other)))
        .containsExactly("budgets.zones.z.destinations[\"other.example.com\"]: destination added");
  }

  @Test
  void everyKindOfLooseningIsListed() {
    String yaml = edit(BASE, "cap: 100MB", "cap: 200MB");
    yaml = edit(yaml, ", { window: week, cap: 300MB }", "");
    yaml = edit(yaml, "cap: 10MB", "cap: 11MB");
    yaml = edit(yaml, "        default:", "        acme: {}\n        default:");
    yaml = edit(yaml, "limits: [ { window: day, cap: 5MB } ]", "limits: []");
    yaml =
        edit(yaml, "      destinations:", "      unknown_destinations: allow\n      destinations:");
    yaml +=
        "  - { name: db, mode: tcp, bind: 127.0.0.1:0, upstream: db:5432, zone: z, egress: client }\n"
            + "mode: report\n";
    assertThat(ConfigDiff.loosenings(load(BASE), load(yaml)))
        .containsExactly(
            "mode: enforce -> report (leaves enforce mode)",
            "budgets.limits day: 100 MB -> 200 MB (raises a cap)",
            "budgets.limits week: 300 MB -> none (removes a cap)",
            "budgets.zones.z.tenants.acme: tenant added",
            "budgets.zones.z.tenants.default.limits day: 10 MB -> 11 MB (raises a cap)",
            "budgets.zones.z.destinations[\"api.example.com\"].limits day: 5 MB -> none (removes a"
                + " cap)",
            "budgets.zones.z.unknown_destinations: deny -> allow (allows unknown destinations)",
            "listeners.db: listener added (127.0.0.1:0)");
  }

  @Test
  void raisingOrRemovingMaxTransferLoosensAndLoweringOrAddingItDoesNot() {
    String limited = edit(BASE, "    z:\n", "    z:\n      max_transfer: 10MiB\n");
    String higher = edit(limited, "max_transfer: 10MiB", "max_transfer: 1GiB");
    String lower = edit(limited, "max_transfer: 10MiB", "max_transfer: 1MiB");
    assertThat(load(limited).zone("z").maxTransfer()).isEqualTo(10L << 20);
    assertThat(ConfigDiff.loosenings(load(limited), load(higher)))
        .containsExactly(
            "budgets.zones.z.max_transfer: 10 MiB -> 1 GiB (raises the largest single transfer)");
    assertThat(ConfigDiff.loosenings(load(limited), load(BASE)))
        .containsExactly(
            "budgets.zones.z.max_transfer: 10 MiB -> none (raises the largest single transfer)");
    assertThat(ConfigDiff.loosenings(load(limited), load(lower))).isEmpty();
    assertThat(ConfigDiff.loosenings(load(BASE), load(limited))).isEmpty();
  }

  @Test
  void aMaxTransferBelowOneByteIsAnErrorNamingTheField() {
    String zero = edit(BASE, "    z:\n", "    z:\n      max_transfer: 0\n");
    var r = ConfigLoader.parse("t.yaml", zero);
    assertThat(r.ok()).isFalse();
    assertThat(String.join("\n", ConfigLoader.formatAll(r)))
        .contains("budgets.zones.z.max_transfer")
        .contains("must be at least 1 B");
  }

  @Test
  void aChangedListenerAndANewZoneLoosen() {
    String yaml = edit(BASE, "upstream: http://127.0.0.1:8000", "upstream: http://127.0.0.1:9000");
    yaml = edit(yaml, "listeners:", "    y:\n      tenants: { t2: {} }\nlisteners:");
    assertThat(ConfigDiff.loosenings(load(BASE), load(yaml)))
        .containsExactly(
            "budgets.zones.y: zone added (with tenants t2)",
            "listeners.api: listener changed (any change to a listener counts)");
  }

  @Test
  void weakeningChangeControlLoosensButAddingItDoesNot() {
    String alice = dev.sluice.ledger.OperatorKeys.encodePublic(new byte[32]);
    byte[] b = new byte[32];
    b[0] = 1;
    String bob = dev.sluice.ledger.OperatorKeys.encodePublic(b);
    b[0] = 2;
    String carol = dev.sluice.ledger.OperatorKeys.encodePublic(b);
    String two =
        BASE
            + "change_control: { operators: { alice: \""
            + alice
            + "\", bob: \""
            + bob
            + "\" }, approvals: 2 }\n";
    assertThat(ConfigDiff.loosenings(load(BASE), load(two))).isEmpty();
    String one =
        BASE
            + "change_control: { operators: { alice: \""
            + alice
            + "\", carol: \""
            + carol
            + "\" }, approvals: 1 }\n";
    assertThat(ConfigDiff.loosenings(load(two), load(one)))
        .containsExactly(
            "change_control.approvals: 2 -> 1", "change_control.operators.carol: operator added");
    assertThat(ConfigDiff.loosenings(load(two), load(BASE)))
        .containsExactly("change_control: removed (no change would need approvals)");
  }

  @Test
  void storeDataDirLedgerAndAdminNeedARestart() {
    SluiceConfig next = load(BASE + "data_dir: /elsewhere\nadmin: { bind: 127.0.0.1:9999 }\n");
    assertThat(ConfigDiff.restartOnly(load(BASE), next))
        .containsExactly("data_dir differs", "admin differs");
  }

  /** Issue 18: the log format is the process's, chosen at start; a reload cannot switch it. */
  @Test
  void aNewLogFormatNeedsARestartAndLoosensNothing() {
    SluiceConfig json = load(BASE + "logging: { format: json }\n");
    assertThat(ConfigDiff.restartOnly(load(BASE), json)).containsExactly("logging differs");
    assertThat(ConfigDiff.restartOnly(json, load(BASE + "logging: { format: json }\n"))).isEmpty();
    assertThat(ConfigDiff.loosenings(load(BASE), json)).isEmpty();
  }
}
