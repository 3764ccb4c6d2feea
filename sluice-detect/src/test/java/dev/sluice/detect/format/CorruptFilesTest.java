package dev.sluice.detect.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.detect.format.fixtures.GgufWriter;
import dev.sluice.detect.format.fixtures.OnnxWriter;
import dev.sluice.detect.format.fixtures.RealTensors;
import dev.sluice.detect.format.fixtures.SafetensorsWriter;
import dev.sluice.detect.format.fixtures.TfjsWriter;
import dev.sluice.detect.format.fixtures.TorchZipWriter;
import dev.sluice.detect.format.fixtures.WeightTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Files of every format, corrupted at random (bytes overwritten in the headers, or cut short): a
 * reader either gives regions that lie within their files or fails with an {@link IOException} (a
 * {@link FormatException} naming the offset); it never throws anything else, loops or allocates
 * without bound (the property would time out or run out of memory).
 */
class CorruptFilesTest {
  private static Path dir;
  private static Map<WeightFormat, Path> originals;

  @BeforeContainer
  static void writeOriginals() throws IOException {
    dir = Files.createTempDirectory("sluice-corrupt");
    List<WeightTensor> t = RealTensors.fp32().subList(0, 14);
    Path tfjs = Files.createDirectory(dir.resolve("tfjs"));
    originals =
        Map.of(
            WeightFormat.SAFETENSORS,
                SafetensorsWriter.write(dir.resolve("m.safetensors"), t, Map.of("k", "v")),
            WeightFormat.GGUF, GgufWriter.write(dir.resolve("m.gguf"), t, 32),
            WeightFormat.PYTORCH_ZIP, TorchZipWriter.write(dir.resolve("m.pt"), t, true),
            WeightFormat.TFJS, TfjsWriter.write(tfjs, t, 4096),
            WeightFormat.ONNX,
                OnnxWriter.write(
                        dir.resolve("m.onnx"),
                        "m.data",
                        t.subList(0, 4),
                        t.get(4),
                        t.get(5),
                        t.get(6))
                    .model());
  }

  @AfterContainer
  static void clean() {
    dev.sluice.detect.format.fixtures.RealModels.deleteTree(dir);
  }

  @Property(tries = 600, seed = "1717")
  void corruptFilesFailCleanly(
      @ForAll("formats") WeightFormat format,
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 2) int how)
      throws IOException {
    Path original = originals.get(format);
    byte[] b = Files.readAllBytes(original);
    Random r = new Random(seed);
    // Headers are where parsing decides: corrupt mostly the first bytes (and the zip's tail).
    int span = Math.min(b.length, format == WeightFormat.PYTORCH_ZIP ? b.length : 2048);
    switch (how) {
      case 0 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
      case 1 -> {
        for (int i = 1 + r.nextInt(8); i > 0; i--) {
          b[r.nextInt(span)] = (byte) r.nextInt(256);
        }
      }
      default -> {
        int at = r.nextInt(Math.max(1, span - 8));
        java.nio.ByteBuffer.wrap(b, at, 8)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putLong(r.nextBoolean() ? -1L : r.nextLong());
      }
    }
    Path f = original.resolveSibling("corrupt-" + original.getFileName());
    Files.write(f, b);
    try {
      for (TensorEntry e : format.reader().read(f)) {
        assertThat(e.region().end()).isLessThanOrEqualTo(Files.size(e.region().file()));
      }
    } catch (IOException expected) {
      // a clean refusal
    } finally {
      Files.delete(f);
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<WeightFormat> formats() {
    return net.jqwik.api.Arbitraries.of(
        WeightFormat.SAFETENSORS,
        WeightFormat.GGUF,
        WeightFormat.PYTORCH_ZIP,
        WeightFormat.TFJS,
        WeightFormat.ONNX);
  }
}
