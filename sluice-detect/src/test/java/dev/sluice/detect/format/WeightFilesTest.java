package dev.sluice.detect.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.detect.format.fixtures.GgufWriter;
import dev.sluice.detect.format.fixtures.OnnxWriter;
import dev.sluice.detect.format.fixtures.RealModels;
import dev.sluice.detect.format.fixtures.RealTensors;
import dev.sluice.detect.format.fixtures.SafetensorsWriter;
import dev.sluice.detect.format.fixtures.TfjsWriter;
import dev.sluice.detect.format.fixtures.TorchZipWriter;
import dev.sluice.detect.format.fixtures.WeightTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entry point on a directory of every format, named misleadingly, and on the real model. */
class WeightFilesTest {
  @TempDir Path dir;

  @Test
  void formatsAreToldByContentAndReferencedFilesAreNotReadTwice() throws Exception {
    List<WeightTensor> real = RealTensors.fp32().subList(0, 12);
    // Names that say nothing (or lie): the content decides.
    SafetensorsWriter.write(dir.resolve("a.bin"), real, Map.of());
    GgufWriter.write(dir.resolve("b.dat"), real, 32);
    TorchZipWriter.write(dir.resolve("c.safetensors"), real, false);
    Path onnxDir = Files.createDirectory(dir.resolve("onnx"));
    OnnxWriter.write(
        onnxDir.resolve("model.proto"),
        "weights",
        real.subList(0, 4),
        real.get(4),
        real.get(5),
        real.get(6));
    Path tfjs = Files.createDirectory(dir.resolve("tfjs"));
    TfjsWriter.write(tfjs, real, 1 << 20);
    Files.move(tfjs.resolve("model.json"), tfjs.resolve("manifest"));
    Files.writeString(dir.resolve("notes.txt"), "hello");
    Files.write(dir.resolve("empty"), new byte[0]);

    assertThat(WeightFiles.format(dir.resolve("a.bin"))).isEqualTo(WeightFormat.SAFETENSORS);
    assertThat(WeightFiles.format(dir.resolve("b.dat"))).isEqualTo(WeightFormat.GGUF);
    assertThat(WeightFiles.format(dir.resolve("c.safetensors")))
        .isEqualTo(WeightFormat.PYTORCH_ZIP);
    assertThat(WeightFiles.format(onnxDir.resolve("model.proto"))).isEqualTo(WeightFormat.ONNX);
    assertThat(WeightFiles.format(tfjs.resolve("manifest"))).isEqualTo(WeightFormat.TFJS);
    assertThat(WeightFiles.format(dir.resolve("notes.txt"))).isEqualTo(WeightFormat.RAW);

    List<TensorRegion> regions = WeightFiles.regions(dir);
    Map<String, Long> perFile =
        regions.stream()
            .collect(
                Collectors.groupingBy(
                    r -> dir.relativize(r.file()).toString(), Collectors.counting()));
    assertThat(perFile)
        .containsEntry("a.bin", 12L)
        .containsEntry("b.dat", 12L)
        .containsEntry("c.safetensors", 12L)
        .containsEntry("onnx/weights", 4L) // the external data, through the model
        .containsEntry(
            "onnx/model.proto", 5L) // constant, subgraph, float_data, sparse values + indices
        .containsEntry("notes.txt", 1L)
        .doesNotContainKey("empty");
    assertThat(perFile.keySet().stream().filter(k -> k.startsWith("tfjs/")))
        .allMatch(k -> k.matches("tfjs/group1-shard\\d+of\\d+\\.bin"));
    TensorRegion notes =
        regions.stream().filter(r -> r.file().endsWith("notes.txt")).findFirst().orElseThrow();
    assertThat(notes.dtype()).isEqualTo(DType.UNKNOWN);
    assertThat(notes.length()).isEqualTo(5);

    assertThat(WeightFiles.tensors(dir, false))
        .noneMatch(t -> t.region().file().endsWith("notes.txt"));
  }

  @Test
  void aFileClaimingAFormatButCorruptIsAnErrorNotRaw() throws Exception {
    Path f =
        SafetensorsWriter.write(
            dir.resolve("m.safetensors"), RealTensors.fp32().subList(0, 2), Map.of());
    byte[] b = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(b, b.length - 10));
    assertThatThrownBy(() -> WeightFiles.regions(dir))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(f.toString());
  }

  @Test
  void realOnnxModelTimed() throws Exception {
    Path model = RealModels.fp32();
    long best = Long.MAX_VALUE;
    List<TensorRegion> regions = List.of();
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      regions = WeightFiles.regions(model);
      best = Math.min(best, System.nanoTime() - t0);
    }
    long bytes = regions.stream().mapToLong(TensorRegion::length).sum();
    System.out.printf(
        "WeightFiles.regions(%s): %d regions, %d tensor bytes of %d, best of 5: %.2f ms%n",
        model.getFileName(), regions.size(), bytes, Files.size(model), best / 1e6);
    assertThat(WeightFiles.format(model)).isEqualTo(WeightFormat.ONNX);
    assertThat(regions).hasSameSizeAs(new OnnxReader().read(model));
  }
}
