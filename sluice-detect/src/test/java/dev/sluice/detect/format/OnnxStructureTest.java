package dev.sluice.detect.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.detect.format.fixtures.OnnxWriter;
import dev.sluice.detect.format.fixtures.RealTensors;
import dev.sluice.detect.format.fixtures.RoundTrip;
import dev.sluice.detect.format.fixtures.WeightTensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX models rewritten from real tensors with external data, a Constant node, an If subgraph and
 * packed float_data: every tensor comes back exactly; external paths cannot leave the directory.
 */
class OnnxStructureTest {
  @TempDir Path dir;

  private OnnxWriter.Written write(Path model, String location) throws Exception {
    return write(model, location, location);
  }

  private OnnxWriter.Written write(Path model, String file, String declared) throws Exception {
    List<WeightTensor> real = RealTensors.fp32();
    return OnnxWriter.write(
        model, file, declared, real.subList(0, 6), real.get(6), real.get(7), real.get(8));
  }

  @Test
  void externalDataConstantsSubgraphsAndFloatDataAreAllFound() throws Exception {
    OnnxWriter.Written w = write(dir.resolve("model.onnx"), "model.onnx.data");
    List<TensorEntry> read = new OnnxReader().read(w.model());
    List<WeightTensor> expected = new java.util.ArrayList<>(w.tensors());
    // float_data is reported under the tensor name with a suffix saying where it was found.
    WeightTensor fd = expected.get(8);
    expected.set(
        8, new WeightTensor(fd.name() + ".float_data", fd.dtype(), fd.shape(), fd.bytes()));
    RoundTrip.assertSameTensors(expected, read);
    assertThat(read.subList(0, 6))
        .allSatisfy(e -> assertThat(e.region().file()).isEqualTo(w.externalFile()));
    assertThat(read.subList(6, 11))
        .allSatisfy(e -> assertThat(e.region().file()).isEqualTo(w.model()));
  }

  @Test
  void externalDataOutsideTheModelDirectoryIsRefused() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("m"));
    Files.writeString(
        dir.resolve("secret"), "x".repeat(10_000_000 / 1000), StandardCharsets.US_ASCII);
    Path model = sub.resolve("model.onnx");
    for (String location : new String[] {"../secret", dir.resolve("secret").toString(), ""}) {
      write(model, "w.bin", location);
      assertThatThrownBy(() -> new OnnxReader().read(model))
          .as(location)
          .isInstanceOf(FormatException.class)
          .hasMessageContaining(
              location.isEmpty()
                  ? "without a location"
                  : "leaves " + sub.toAbsolutePath().normalize());
    }
    Files.createSymbolicLink(sub.resolve("link.bin"), dir.resolve("secret"));
    write(model, "w.bin", "link.bin");
    assertThatThrownBy(() -> new OnnxReader().read(model)).hasMessageContaining("through a link");
  }

  @Test
  void externalDataPastTheEndOfItsFileIsRefused() throws Exception {
    OnnxWriter.Written w = write(dir.resolve("model.onnx"), "d.bin");
    long size = Files.size(w.externalFile());
    try (var ch =
        java.nio.channels.FileChannel.open(
            w.externalFile(), java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(size - 1);
    }
    assertThatThrownBy(() -> new OnnxReader().read(w.model()))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("past the end of " + w.externalFile());
  }

  @Test
  void hostileNestingAndVarintsAreRefused() throws Exception {
    // Subgraph inside subgraph, 100 deep: refused before the stack is.
    OnnxWriter.Pb g = new OnnxWriter.Pb().string(2, "leaf");
    for (int i = 0; i < 100; i++) {
      OnnxWriter.Pb attr = new OnnxWriter.Pb().string(1, "body").message(6, g);
      OnnxWriter.Pb node = new OnnxWriter.Pb().string(4, "Loop").message(5, attr);
      g = new OnnxWriter.Pb().message(1, node);
    }
    Path deep = dir.resolve("deep.onnx");
    Files.write(deep, new OnnxWriter.Pb().varint(1, 8).message(7, g).array());
    assertThatThrownBy(() -> new OnnxReader().read(deep))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("nested deeper than 64");

    Path varint = dir.resolve("varint.onnx");
    byte[] b = new byte[16];
    b[0] = 0x08;
    java.util.Arrays.fill(b, 1, 16, (byte) 0xff);
    Files.write(varint, b);
    assertThatThrownBy(() -> new OnnxReader().read(varint))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("at byte 1: varint longer than 10 bytes");

    Path noGraph = dir.resolve("nograph.onnx");
    Files.write(noGraph, new OnnxWriter.Pb().varint(1, 8).string(2, "x").array());
    assertThatThrownBy(() -> new OnnxReader().read(noGraph)).hasMessageContaining("no graph");
  }
}
