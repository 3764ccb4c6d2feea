package dev.sluice.detect.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.detect.format.fixtures.RealTensors;
import dev.sluice.detect.format.fixtures.RoundTrip;
import dev.sluice.detect.format.fixtures.SafetensorsWriter;
import dev.sluice.detect.format.fixtures.WeightTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** safetensors files derived from the real model, and hostile ones. */
class SafetensorsReaderTest {
  @TempDir Path dir;

  @Test
  void realModelInF32F16AndBf16ReadsBackExactly() throws Exception {
    for (List<WeightTensor> tensors :
        List.of(RealTensors.fp32(), RealTensors.f16(), RealTensors.bf16())) {
      Path file = dir.resolve(tensors.get(0).dtype() + ".safetensors");
      SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
      List<TensorEntry> read = new SafetensorsReader().read(file);
      RoundTrip.assertSameTensors(tensors, read);
      long bytes = read.stream().mapToLong(t -> t.region().length()).sum();
      assertThat(Files.size(file) - bytes).as("header bytes").isLessThan(64 * 1024);
    }
  }

  @Test
  void headerLengthPastTheEndIsRefusedWithItsOffset() throws Exception {
    Path f = dir.resolve("past.safetensors");
    Files.write(f, concat(le(1000), "{}".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> new SafetensorsReader().read(f))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(f + " at byte 0")
        .hasMessageContaining("header length 1000 past the end");
  }

  @Test
  void hostileHeaderLengthIsRefusedWithoutAllocating() throws Exception {
    Path f = dir.resolve("huge.safetensors");
    Files.write(f, concat(le(-1), "{}".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> new SafetensorsReader().read(f))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("18446744073709551615 out of");
  }

  @Test
  void tensorPastTheDataSectionIsRefused() throws Exception {
    Path f = dir.resolve("t.safetensors");
    WeightTensor t = new WeightTensor("w", DType.F32, List.of(4L), new byte[16]);
    SafetensorsWriter.write(f, List.of(t), Map.of());
    byte[] all = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(all, all.length - 1)); // truncated by one byte
    assertThatThrownBy(() -> new SafetensorsReader().read(f))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("tensor w: data_offsets [0, 16] outside the data section of 15");
  }

  @Test
  void sizeNotMatchingShapeAndOverlapsAreRefused() throws Exception {
    Path f = dir.resolve("bad.safetensors");
    header(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16);
    assertThatThrownBy(() -> new SafetensorsReader().read(f))
        .hasMessageContaining("tensor a: 16 bytes for shape [3] of F32");
    header(
        f,
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
            + "\"b\":{\"dtype\":\"I8\",\"shape\":[8],\"data_offsets\":[8,16]}}",
        16);
    assertThatThrownBy(() -> new SafetensorsReader().read(f)).hasMessageContaining("b overlaps a");
    header(f, "{\"a\": [1, 2", 16);
    assertThatThrownBy(() -> new SafetensorsReader().read(f))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("header is not JSON");
  }

  @Property(tries = 40, seed = "17")
  void randomTensorsRoundTrip(
      @ForAll("seeds") long seed, @ForAll @IntRange(min = 0, max = 12) int count) throws Exception {
    Random r = new Random(seed);
    DType[] types = {DType.F32, DType.F16, DType.BF16, DType.I8, DType.I64, DType.F64, DType.U8};
    List<WeightTensor> tensors = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      DType d = types[r.nextInt(types.length)];
      List<Long> shape = new ArrayList<>();
      long n = 1;
      for (int k = r.nextInt(4); k > 0; k--) {
        long dim = r.nextInt(9);
        shape.add(dim);
        n *= dim;
      }
      byte[] b = new byte[(int) n * d.width()];
      r.nextBytes(b);
      tensors.add(new WeightTensor("t" + i + "." + r.nextInt(1000), d, shape, b));
    }
    Path f = Files.createTempFile("prop", ".safetensors");
    try {
      SafetensorsWriter.write(f, tensors, Map.of("seed", Long.toString(seed)));
      RoundTrip.assertSameTensors(tensors, new SafetensorsReader().read(f));
    } finally {
      Files.delete(f);
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Long> seeds() {
    return net.jqwik.api.Arbitraries.longs();
  }

  private static void header(Path f, String json, int dataBytes) throws Exception {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    Files.write(f, concat(concat(le(h.length), h), new byte[dataBytes]));
  }

  private static byte[] le(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
