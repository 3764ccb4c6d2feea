package dev.sluice.detect.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.detect.format.fixtures.GgufWriter;
import dev.sluice.detect.format.fixtures.RealTensors;
import dev.sluice.detect.format.fixtures.RoundTrip;
import dev.sluice.detect.format.fixtures.WeightTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GGUF v3 files of the real model (F32, F16), metadata of every type, quantized and hostile ones.
 */
class GgufReaderTest {
  @TempDir Path dir;

  @Test
  void realModelF32AndF16ReadBackExactly() throws Exception {
    for (List<WeightTensor> tensors : List.of(RealTensors.fp32(), RealTensors.f16())) {
      Path f = GgufWriter.write(dir.resolve(tensors.get(0).dtype() + ".gguf"), tensors, 32);
      RoundTrip.assertSameTensors(tensors, new GgufReader().read(f));
    }
  }

  @Test
  void generalAlignmentMovesTheDataSection() throws Exception {
    List<WeightTensor> tensors = RealTensors.fp32().subList(0, 5);
    Path f = GgufWriter.write(dir.resolve("a.gguf"), tensors, 256);
    List<TensorEntry> read = new GgufReader().read(f);
    RoundTrip.assertSameTensors(tensors, read);
    assertThat(read).allSatisfy(t -> assertThat(t.region().offset() % 256).isZero());
  }

  @Test
  void quantizedTensorsAreSizedByTheirBlocks() throws Exception {
    // Q4_0: 32 elements in 18 bytes; Q6_K: 256 in 210; Q8_0: 32 in 34.
    List<WeightTensor> tensors =
        List.of(
            new WeightTensor("q4", DType.QUANTIZED, List.of(2L, 64L), bytes(4 * 18, 1)),
            new WeightTensor("q6k", DType.QUANTIZED, List.of(512L), bytes(2 * 210, 2)),
            new WeightTensor("q8", DType.QUANTIZED, List.of(3L, 32L), bytes(3 * 34, 3)));
    Path f = GgufWriter.writeRaw(dir.resolve("q.gguf"), tensors, new int[] {2, 14, 8}, 32);
    RoundTrip.assertSameTensors(tensors, new GgufReader().read(f));
  }

  @Test
  void shapeNotWholeBlocksIsRefused() throws Exception {
    List<WeightTensor> t =
        List.of(new WeightTensor("q4", DType.QUANTIZED, List.of(48L), bytes(36, 1)));
    Path f = GgufWriter.writeRaw(dir.resolve("q.gguf"), t, new int[] {2}, 32);
    assertThatThrownBy(() -> new GgufReader().read(f))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("tensor q4: shape [48] is not whole Q4_0 blocks");
  }

  @Test
  void truncatedFilesAreRefusedAtEveryCut() throws Exception {
    List<WeightTensor> tensors = RealTensors.fp32().subList(0, 3);
    Path f = GgufWriter.write(dir.resolve("t.gguf"), tensors, 32);
    byte[] all = Files.readAllBytes(f);
    Path cut = dir.resolve("cut.gguf");
    // Every cut inside the header, and a few inside the data.
    int header = (int) new GgufReader().read(f).get(0).region().offset();
    for (int n = 0; n < header + 40; n++) {
      Files.write(cut, Arrays.copyOf(all, n));
      int len = n;
      assertThatThrownBy(() -> new GgufReader().read(cut))
          .as("cut at %d", len)
          .isInstanceOf(FormatException.class);
    }
    List<TensorEntry> read = new GgufReader().read(f);
    int lastEnd = (int) read.get(read.size() - 1).region().end();
    Files.write(cut, Arrays.copyOf(all, lastEnd - 1)); // the writer pads after the last tensor
    assertThatThrownBy(() -> new GgufReader().read(cut)).hasMessageContaining("past the end");
  }

  @Test
  void hostileCountsAreRefusedBeforeLooping() throws Exception {
    Path f = GgufWriter.write(dir.resolve("h.gguf"), RealTensors.fp32().subList(0, 1), 32);
    byte[] all = Files.readAllBytes(f);
    ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putLong(8, Long.MAX_VALUE / 2);
    Files.write(f, all);
    assertThatThrownBy(() -> new GgufReader().read(f))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("at byte 8: tensor count 4611686018427387903 too large");
    ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 1).putLong(16, -1);
    Files.write(f, all);
    assertThatThrownBy(() -> new GgufReader().read(f))
        .hasMessageContaining("metadata count 18446744073709551615 too large");
  }

  @Test
  void versionOneAndOtherMagicAreRefused() throws Exception {
    Path f = GgufWriter.write(dir.resolve("v.gguf"), RealTensors.fp32().subList(0, 1), 32);
    byte[] all = Files.readAllBytes(f);
    all[4] = 1;
    Files.write(f, all);
    assertThatThrownBy(() -> new GgufReader().read(f)).hasMessageContaining("GGUF version 1");
    all[0] = 'X';
    Files.write(f, all);
    assertThatThrownBy(() -> new GgufReader().read(f)).hasMessageContaining("no GGUF magic");
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }
}
