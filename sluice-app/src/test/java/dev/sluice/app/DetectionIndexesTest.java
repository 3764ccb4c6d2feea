package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.detect.fingerprint.ChunkParams;
import dev.sluice.detect.fingerprint.FingerprintIndexBuilder;
import dev.sluice.detect.fingerprint.FingerprintIndexFile;
import dev.sluice.detect.format.DType;
import dev.sluice.detect.format.TensorRegion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indexes of the {@code detection} sections are loaded before the node opens anything; a
 * missing or corrupt one stops the start naming the key, the file and (corrupt) the byte offset.
 */
class DetectionIndexesTest {

  @TempDir Path dir;

  private SluiceConfig config(Path index, String zoneIndex) {
    String zone = zoneIndex == null ? "" : "      detection: { index: \"" + zoneIndex + "\" }\n";
    String yaml =
        """
        site: t
        model: { name: m, weight_bytes: 1GB }
        data_dir: "%s"
        detection: { index: "%s" }
        budgets:
          limits: [ { window: day, cap: 100MB } ]
          zones:
            z:
        %s      tenants: { default: {} }
        listeners:
          - { name: api, mode: reverse, bind: "127.0.0.1:0", upstream: "http://127.0.0.1:9", zone: z }
        """
            .formatted(dir.resolve("data"), index, zone);
    return ConfigLoader.parse("t.yaml", yaml).orThrow();
  }

  private Path validIndex(String name) throws Exception {
    byte[] w = new byte[300_000];
    new Random(5).nextBytes(w);
    Path file = Files.write(dir.resolve(name + ".bin"), w);
    FingerprintIndexBuilder b = new FingerprintIndexBuilder(ChunkParams.DEFAULT);
    b.add(file, name, List.of(new TensorRegion(file, "all", 0, w.length, DType.U8)), n -> {});
    Path index = dir.resolve(name + ".sfi");
    FingerprintIndexFile.write(b.build(), index);
    return index;
  }

  @Test
  void eachIndexIsLoadedOnce() throws Exception {
    Path site = validIndex("site");
    Path zone = validIndex("zone");
    assertThat(DetectionIndexes.load(config(site, zone.toString()))).containsOnlyKeys(site, zone);
    assertThat(DetectionIndexes.load(config(site, null))).containsOnlyKeys(site);
  }

  @Test
  void aMissingIndexStopsTheStartNamingKeyAndFile() {
    Path missing = dir.resolve("missing.sfi");
    assertThatThrownBy(() -> DetectionIndexes.load(config(missing, null)))
        .isInstanceOf(NodeStartException.class)
        .hasMessageStartingWith("detection.index " + missing.toAbsolutePath() + ": cannot read");
  }

  @Test
  void aCorruptIndexStopsTheStartNamingTheByteOffset() throws Exception {
    Path good = validIndex("site");
    byte[] b = Files.readAllBytes(good);
    b[b.length / 2] ^= 0x40;
    Path bad = Files.write(dir.resolve("bad.sfi"), b);
    assertThatThrownBy(() -> DetectionIndexes.load(config(good, bad.toString())))
        .isInstanceOf(NodeStartException.class)
        .hasMessageContaining("budgets.zones.z.detection.index " + bad.toAbsolutePath())
        .hasMessageContaining("corrupt fingerprint index at byte ");
  }
}
