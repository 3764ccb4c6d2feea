package dev.sluice.config;

import static dev.sluice.config.ConfigFixture.append;
import static dev.sluice.config.ConfigFixture.errors;
import static dev.sluice.config.ConfigFixture.load;
import static dev.sluice.config.ConfigFixture.replace;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code detection} section: defaults, zone overrides, errors naming the key and value. */
class DetectionRulesTest {

  @Test
  void absentMeansOffAndTheSiteSectionDefaultsToBlock() {
    assertThat(load(append("")).detection()).isEqualTo(DetectionConfig.OFF);
    assertThat(load(append("")).detection("z").enabled()).isFalse();
    DetectionConfig d = load(append("detection: { index: w.sfi }\n")).detection();
    assertThat(d)
        .isEqualTo(
            new DetectionConfig(
                Path.of("w.sfi"), false, DetectionConfig.Action.BLOCK, Duration.ofMillis(10)));
  }

  @Test
  void aZoneOverridesKeyByKey() {
    String yaml =
        replace(
                "      limits: [ { window: day, cap: 50MB } ]\n",
                "      limits: [ { window: day, cap: 50MB } ]\n"
                    + "      detection: { action: alert }\n")
            + "detection: { index: w.sfi, tensors: true, hold: 30ms }\n";
    SluiceConfig c = load(yaml);
    assertThat(c.detection("z"))
        .isEqualTo(
            new DetectionConfig(
                Path.of("w.sfi"), true, DetectionConfig.Action.ALERT, Duration.ofMillis(30)));
    assertThat(c.detection().action()).isEqualTo(DetectionConfig.Action.BLOCK);
    String none =
        replace(
                "      limits: [ { window: day, cap: 50MB } ]\n",
                "      limits: [ { window: day, cap: 50MB } ]\n"
                    + "      detection: { index: none, tensors: false }\n")
            + "detection: { index: w.sfi, tensors: true }\n";
    assertThat(load(none).detection("z").enabled()).isFalse();
  }

  @Test
  void errorsNameTheKeyAndTheValue() {
    assertThat(errors(append("detection: { action: drop }\n")))
        .containsExactly("t.yaml:19: detection.action: must be one of block, alert (got drop)");
    assertThat(errors(append("detection: { tensors: yes please }\n")))
        .containsExactly("t.yaml:19: detection.tensors: expected true or false (got yes please)");
    assertThat(errors(append("detection: { hold: 2s }\n")))
        .singleElement()
        .asString()
        .startsWith("t.yaml:19: detection.hold: ")
        .endsWith("(got 2s)");
    assertThat(errors(append("detection: { anchor_stride: 3 }\n")))
        .containsExactly(
            "t.yaml:19: detection.anchor_stride: must be 1, 2, 4, 8, 16 or 32 (test one offset in"
                + " N for an anchor) (got 3)");
    assertThat(errors(append("detection: { indx: w.sfi }\n")))
        .singleElement()
        .asString()
        .startsWith("t.yaml:19: detection.indx: unknown key");
  }

  @Test
  void looseningsAreNamedAndTighteningsAreNot() {
    DetectionConfig block =
        new DetectionConfig(Path.of("w.sfi"), true, DetectionConfig.Action.BLOCK);
    assertThat(
            block.loosenedBy(
                new DetectionConfig(Path.of("w.sfi"), true, DetectionConfig.Action.ALERT)))
        .isTrue();
    assertThat(
            block.loosenedBy(
                new DetectionConfig(Path.of("w.sfi"), false, DetectionConfig.Action.BLOCK)))
        .isTrue();
    assertThat(block.loosenedBy(new DetectionConfig(null, true, DetectionConfig.Action.BLOCK)))
        .isTrue();
    assertThat(
            block.loosenedBy(
                new DetectionConfig(
                    Path.of("w.sfi"), true, DetectionConfig.Action.BLOCK, Duration.ZERO)))
        .isTrue();
    Duration hold = DetectionConfig.DEFAULT_HOLD;
    assertThat(
            block.loosenedBy(
                new DetectionConfig(
                    Path.of("w.sfi"), true, DetectionConfig.Action.BLOCK, hold, 16)))
        .isTrue();
    assertThat(
            block.loosenedBy(
                new DetectionConfig(Path.of("w.sfi"), true, DetectionConfig.Action.BLOCK, hold, 1)))
        .isFalse();
    assertThat(DetectionConfig.OFF.loosenedBy(block)).isFalse();
    assertThat(
            new DetectionConfig(Path.of("w.sfi"), false, DetectionConfig.Action.ALERT)
                .loosenedBy(block))
        .isFalse();
  }
}
