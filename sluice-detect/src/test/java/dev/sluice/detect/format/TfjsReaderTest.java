package dev.sluice.detect.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.detect.format.fixtures.RealTensors;
import dev.sluice.detect.format.fixtures.RoundTrip;
import dev.sluice.detect.format.fixtures.TfjsWriter;
import dev.sluice.detect.format.fixtures.WeightTensor;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TF.js models of the real weights, in 4 MB shards. */
class TfjsReaderTest {
  @TempDir Path dir;

  @Test
  void realModelIn4MbShardsReadsBackExactlyAcrossShardBoundaries() throws Exception {
    List<WeightTensor> tensors = RealTensors.fp32();
    Path manifest = TfjsWriter.write(dir, tensors, 4 * 1000 * 1000);
    List<TensorEntry> read = new TfjsReader().read(manifest);

    // Parts of a weight cut by a shard boundary (name@1, name@2...) join into its bytes.
    Map<String, ByteArrayOutputStream> joined = new LinkedHashMap<>();
    Map<String, TensorEntry> whole = new LinkedHashMap<>();
    int split = 0;
    for (TensorEntry e : read) {
      String name = e.region().name();
      if (name.matches(".*@\\d+")) {
        split++;
        name = name.substring(0, name.lastIndexOf('@'));
      } else {
        whole.put(name, e);
      }
      joined
          .computeIfAbsent(name, k -> new ByteArrayOutputStream())
          .writeBytes(RealTensors.bytes(e.region()));
    }
    assertThat(split).as("weights cut by a shard boundary").isGreaterThan(10);
    assertThat(joined.keySet())
        .containsExactlyElementsOf(tensors.stream().map(WeightTensor::name).toList());
    for (WeightTensor t : tensors) {
      assertThat(joined.get(t.name()).toByteArray()).as(t.name()).isEqualTo(t.bytes());
      if (whole.containsKey(t.name())) {
        assertThat(whole.get(t.name()).shape()).isEqualTo(t.shape());
        assertThat(whole.get(t.name()).region().dtype()).isEqualTo(DType.F32);
      }
    }
    long shards;
    try (var s = Files.list(dir)) {
      shards = s.filter(p -> p.toString().endsWith(".bin")).count();
    }
    assertThat(shards)
        .isEqualTo(
            (tensors.stream().mapToLong(t -> t.bytes().length).sum() + 3_999_999) / 4_000_000);
  }

  @Test
  void float16QuantizedWeightsAreSizedByTheirStoredType() throws Exception {
    List<WeightTensor> tensors = RealTensors.f16().subList(0, 6);
    Path manifest = TfjsWriter.write(dir, tensors, 64 * 1024 * 1024);
    RoundTrip.assertSameTensors(tensors, new TfjsReader().read(manifest));
  }

  @Test
  void shardsShorterThanTheWeightsAndEscapingPathsAreRefused() throws Exception {
    List<WeightTensor> tensors = new ArrayList<>(RealTensors.fp32().subList(0, 3));
    Path manifest = TfjsWriter.write(dir, tensors, 1 << 20);
    Path last;
    try (var s = Files.list(dir)) {
      last =
          s.filter(p -> p.toString().endsWith(".bin")).sorted().reduce((a, b) -> b).orElseThrow();
    }
    byte[] b = Files.readAllBytes(last);
    Files.write(last, java.util.Arrays.copyOf(b, b.length - 1));
    assertThatThrownBy(() -> new TfjsReader().read(manifest))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("past the end of the shards");

    String json = Files.readString(manifest).replace("group1-shard1of", "../group1-shard1of");
    Files.writeString(manifest, json);
    assertThatThrownBy(() -> new TfjsReader().read(manifest))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("leaves " + dir.toAbsolutePath().normalize());
  }
}
