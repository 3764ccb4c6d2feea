package dev.sluice.config;

import static dev.sluice.config.ConfigFixture.BASE;
import static dev.sluice.config.ConfigFixture.append;
import static dev.sluice.config.ConfigFixture.errors;
import static dev.sluice.config.ConfigFixture.load;
import static dev.sluice.config.ConfigFixture.replace;
import static dev.sluice.config.ConfigFixture.warnings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.net.HostPort;
import java.nio.file.Path;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Top-level keys: site, model, time_zone, mode, data_dir; and the defaults. */
class SiteRulesTest {

  @Test
  void defaults() {
    SluiceConfig c = load(BASE);
    assertThat(c.timeZone()).isEqualTo(ZoneId.of("UTC"));
    assertThat(c.mode()).isEqualTo(Mode.ENFORCE);
    assertThat(c.dataDir()).isEqualTo(Path.of("./sluice-data"));
    assertThat(c.admin().bind()).isEqualTo(new HostPort("127.0.0.1", 9901));
    assertThat(c.store().type()).isEqualTo(StoreType.LOCAL);
    assertThat(c.ledger()).isEqualTo(LedgerConfig.defaults("t"));
    assertThat(c.escrow()).isEqualTo(EscrowConfig.DEFAULTS);
    assertThat(c.budgets().controlAllowanceBytes()).isEqualTo(1L << 20);
    assertThat(c.zone("z").allowUnknownDestinations()).isFalse();
    assertThat(c.zone("z").destinations()).isEmpty();
    assertThat(warnings(BASE)).isEmpty();
  }

  @Test
  void siteIsRequired() {
    assertThat(errors(replace("site: t\n", ""))).containsExactly("t.yaml:1: site: is required");
  }

  @Test
  void siteNameRules() {
    assertThat(errors(replace("site: t", "site: \"a/b\"")))
        .containsExactly(
            "t.yaml:1: site: invalid site name: ':' and '/' are not allowed (names become node ids"
                + " such as zone:NAME and tenant:ZONE/NAME) (got a/b)");
    assertThat(errors(replace("site: t", "site: _t")))
        .containsExactly(
            "t.yaml:1: site: invalid site name: use letters, digits, '_', '.' and '-', starting"
                + " with a letter or digit (got _t)");
    String longName = "s".repeat(65);
    assertThat(errors(replace("site: t", "site: " + longName)))
        .containsExactly(
            "t.yaml:1: site: invalid site name: 65 characters, at most 64 allowed (got "
                + longName.substring(0, 60)
                + "...)");
    assertThat(load(replace("site: t", "site: 2024")).site()).isEqualTo("2024");
  }

  @Test
  void modelIsRequired() {
    assertThat(errors(replace("  weight_bytes: 1GB\n", "")))
        .containsExactly("t.yaml:2: model.weight_bytes: is required");
    assertThat(errors(replace("  name: m\n", "")))
        .containsExactly("t.yaml:2: model.name: is required");
    assertThat(errors(replace("  name: m\n", "  name: \" \"\n")))
        .containsExactly("t.yaml:3: model.name: must not be empty (got  )");
  }

  @Test
  void smallestUsefulCopyDefaultsToOneSixteenthOfTheWeights() {
    ModelConfig m = load(BASE).model();
    assertThat(m.weightBytes()).isEqualTo(1_000_000_000L);
    assertThat(m.smallestUsefulCopyBytes()).isEqualTo(62_500_000L);
    assertThat(m.smallestUsefulCopy()).isEqualTo("1/16 weights");
  }

  @Test
  void smallestUsefulCopyIsASizeOrAShareOfTheWeights() {
    String at = "  weight_bytes: 1GB\n";
    assertThat(copy(at + "  smallest_useful_copy: 1/100 weights\n")).isEqualTo(10_000_000L);
    assertThat(copy(at + "  smallest_useful_copy: 1/3 weights\n")).isEqualTo(333_333_334L);
    assertThat(copy(at + "  smallest_useful_copy: 5% weights\n")).isEqualTo(50_000_000L);
    assertThat(copy(at + "  smallest_useful_copy: 40MB\n")).isEqualTo(40_000_000L);
    assertThat(copy(at + "  smallest_useful_copy: 1/1 weights\n")).isEqualTo(1_000_000_000L);
    assertThat(load(replace(at, at + "  smallest_useful_copy: \" 1/16 weights \"\n")).model())
        .extracting(ModelConfig::smallestUsefulCopy)
        .isEqualTo("1/16 weights");
  }

  @Test
  void aBadSmallestUsefulCopyNamesTheFieldAndTheValue() {
    String at = "  weight_bytes: 1GB\n";
    assertThat(errors(replace(at, at + "  smallest_useful_copy: 2GB\n")))
        .containsExactly(
            "t.yaml:5: model.smallest_useful_copy: is 2 GB, more than model.weight_bytes (1 GB); a"
                + " useful copy is at most the weights themselves (got 2GB)");
    assertThat(errors(replace(at, at + "  smallest_useful_copy: 3/2 weights\n")))
        .containsExactly(
            "t.yaml:5: model.smallest_useful_copy: a fraction of the weights must be above 0 and"
                + " at most 1, e.g. 1/16 weights (got 3/2 weights)");
    assertThat(errors(replace(at, at + "  smallest_useful_copy: 0/16 weights\n")))
        .containsExactly(
            "t.yaml:5: model.smallest_useful_copy: a fraction of the weights must be above 0 and"
                + " at most 1, e.g. 1/16 weights (got 0/16 weights)");
    assertThat(errors(replace(at, at + "  smallest_useful_copy: 0\n")))
        .containsExactly("t.yaml:5: model.smallest_useful_copy: must be larger than 0 (got 0)");
    assertThat(errors(replace(at, at + "  smallest_useful_copy: a sixteenth\n")))
        .hasSize(1)
        .first()
        .asString()
        .startsWith("t.yaml:5: model.smallest_useful_copy: not a size")
        .contains("or a fraction such as 1/16 weights");
    // With the weights themselves in error, a relative copy is not reported a second time.
    assertThat(errors(replace(at, "  weight_bytes: 1gb\n  smallest_useful_copy: 1/16 weights\n")))
        .hasSize(1)
        .first()
        .asString()
        .startsWith("t.yaml:4: model.weight_bytes:");
  }

  private static long copy(String modelLines) {
    return load(replace("  weight_bytes: 1GB\n", modelLines)).model().smallestUsefulCopyBytes();
  }

  @Test
  void weightBytesMustBePositiveAndAbsolute() {
    assertThat(errors(replace("weight_bytes: 1GB", "weight_bytes: 0")))
        .containsExactly("t.yaml:4: model.weight_bytes: must be larger than 0 (got 0)");
    assertThat(errors(replace("weight_bytes: 1GB", "weight_bytes: -1GB")))
        .containsExactly("t.yaml:4: model.weight_bytes: a size cannot be negative (got -1GB)");
    assertThat(errors(replace("weight_bytes: 1GB", "weight_bytes: 2x weights")))
        .containsExactly(
            "t.yaml:4: model.weight_bytes: a size relative to the weights is not allowed here"
                + " (only caps may use it) (got 2x weights)");
    assertThat(load(replace("weight_bytes: 1GB", "weight_bytes: 1234")).model().weightBytes())
        .isEqualTo(1234);
  }

  @Test
  void capsRelativeToInvalidWeightsAreNotReportedTwice() {
    String yaml =
        replace(
            replace(BASE, "weight_bytes: 1GB", "weight_bytes: 1 GBytes"),
            "cap: 100MB",
            "cap: 1% weights");
    assertThat(errors(yaml))
        .containsExactly(
            "t.yaml:4: model.weight_bytes: unknown unit \"GBytes\"; expected B, KB, MB, GB, TB,"
                + " KiB, MiB, GiB, TiB, % weights or x weights (got 1 GBytes)");
  }

  @Test
  void timeZone() {
    assertThat(load(append("time_zone: Europe/Berlin\n")).timeZone())
        .isEqualTo(ZoneId.of("Europe/Berlin"));
    assertThat(load(append("time_zone: \"+05:30\"\n")).timeZone()).isEqualTo(ZoneId.of("+05:30"));
    assertThat(errors(append("time_zone: Mars/Olympus\n")))
        .containsExactly(
            "t.yaml:19: time_zone: unknown time zone; use a region such as Europe/Berlin, or UTC"
                + " (got Mars/Olympus)");
  }

  @Test
  void mode() {
    assertThat(load(append("mode: enforce\n")).mode()).isEqualTo(Mode.ENFORCE);
    assertThat(errors(append("mode: Enforce\n")))
        .containsExactly(
            "t.yaml:19: mode: must be one of enforce, report; values are lower case: enforce (got"
                + " Enforce)");
    assertThat(errors(append("mode: shadow\n")))
        .containsExactly("t.yaml:19: mode: must be one of enforce, report (got shadow)");
  }

  @Test
  void reportModeLoadsWithALoudWarning() {
    String yaml = append("mode: report\n");
    assertThat(load(yaml).mode()).isEqualTo(Mode.REPORT);
    assertThat(warnings(yaml))
        .containsExactly(
            "t.yaml:19: mode: warning: mode is report: budgets are NOT enforced; bytes over budget"
                + " leave the site and are only recorded as would_deny");
  }

  @Test
  void dataDirIsKeptAsWritten() {
    assertThat(load(append("data_dir: var/sluice\n")).dataDir()).isEqualTo(Path.of("var/sluice"));
    assertThat(load(append("data_dir: /srv/sluice\n")).dataDir()).isEqualTo(Path.of("/srv/sluice"));
    assertThat(errors(append("data_dir: \"\"\n")))
        .containsExactly("t.yaml:19: data_dir: a path must not be empty (got \"\")");
    assertThat(errors(append("data_dir: 12\n"))).isEmpty();
  }
}
