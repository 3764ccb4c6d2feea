package dev.sluice.detect.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.detect.format.fixtures.RealModels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ONNX reader on the real all-MiniLM-L6-v2 models (fp32 and int8). */
class OnnxReaderTest {

  @Test
  void fp32ModelInitializersAreItsTensorBytes() throws Exception {
    Path model = RealModels.fp32();
    List<TensorEntry> tensors = new OnnxReader().read(model);

    assertThat(tensors).hasSizeGreaterThan(50);
    assertWellFormed(model, tensors);
    // The model is float32 weights: every tensor of more than a few elements is F32.
    long f32 =
        tensors.stream()
            .filter(t -> t.region().dtype() == DType.F32)
            .mapToLong(t -> t.region().length())
            .sum();
    long total = tensors.stream().mapToLong(t -> t.region().length()).sum();
    long size = Files.size(model);
    assertThat(total).isGreaterThan(size * 99 / 100).isLessThanOrEqualTo(size);
    assertThat(f32).isGreaterThan(size * 98 / 100);
    assertThat(names(tensors))
        .contains("embeddings.word_embeddings.weight")
        .anyMatch(n -> n.contains("encoder.layer.5"));
    // The exported graph keeps 146 Constant nodes (shapes, scalars) next to its 102 initializers.
    assertThat(names(tensors)).filteredOn(n -> n.endsWith(":value")).hasSize(146);
    assertThat(tensors).hasSize(248);
    TensorEntry words = byName(tensors, "embeddings.word_embeddings.weight");
    assertThat(words.shape()).containsExactly(30522L, 384L);
    assertThat(words.region().length()).isEqualTo(30522L * 384 * 4);
  }

  @Test
  void int8ModelHasInt8WeightsAndFloatScales() throws Exception {
    Path model = RealModels.int8();
    List<TensorEntry> tensors = new OnnxReader().read(model);

    assertWellFormed(model, tensors);
    long i8 =
        tensors.stream()
            .filter(t -> t.region().dtype() == DType.I8 || t.region().dtype() == DType.U8)
            .mapToLong(t -> t.region().length())
            .sum();
    long total = tensors.stream().mapToLong(t -> t.region().length()).sum();
    assertThat(total).isGreaterThan(Files.size(model) * 95 / 100);
    assertThat(i8).isGreaterThan(total / 2);
  }

  @Test
  void truncatedModelIsAFormatErrorNamingTheOffset(@TempDir Path dir) throws Exception {
    Path cut = dir.resolve("cut.onnx");
    try (FileChannel in = FileChannel.open(RealModels.fp32());
        FileChannel out =
            FileChannel.open(cut, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      in.transferTo(0, in.size() / 2, out);
    }
    assertThatThrownBy(() -> new OnnxReader().read(cut))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(cut.toString())
        .hasMessageContaining("remain")
        .satisfies(e -> assertThat(((FormatException) e).offset()).isLessThan(Files.size(cut)));
  }

  /** Names unique, sizes = shape x width, regions inside the file, no two regions overlapping. */
  static void assertWellFormed(Path file, List<TensorEntry> tensors) throws Exception {
    long size = Files.size(file);
    assertThat(names(tensors)).doesNotHaveDuplicates();
    for (TensorEntry t : tensors) {
      TensorRegion r = t.region();
      assertThat(r.end()).as(r.name()).isLessThanOrEqualTo(size);
      if (r.dtype().width() > 0 && t.elements() >= 0) {
        assertThat(r.length()).as(r.name()).isEqualTo(t.elements() * r.dtype().width());
      }
    }
    List<TensorRegion> sorted =
        tensors.stream()
            .map(TensorEntry::region)
            .sorted(Comparator.comparingLong(TensorRegion::offset))
            .toList();
    for (int i = 1; i < sorted.size(); i++) {
      assertThat(sorted.get(i).offset())
          .as(sorted.get(i - 1).name() + " overlaps " + sorted.get(i).name())
          .isGreaterThanOrEqualTo(sorted.get(i - 1).end());
    }
  }

  static List<String> names(List<TensorEntry> tensors) {
    return tensors.stream().map(t -> t.region().name()).toList();
  }

  static TensorEntry byName(List<TensorEntry> tensors, String name) {
    return tensors.stream().filter(t -> t.region().name().equals(name)).findFirst().orElseThrow();
  }

  static Set<String> set(List<String> l) {
    return new HashSet<>(l);
  }
}
