package dev.sluice.detect.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.detect.format.TensorRegion;
import dev.sluice.detect.format.WeightFiles;
import dev.sluice.detect.format.fixtures.RealTensors;
import dev.sluice.detect.format.fixtures.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real model's weights rounded to bf16 and fp16 in safetensors files, indexed through {@link
 * WeightFiles}: slices of each are found plain and base64-encoded, and neither matches the fp32
 * index (same weights, other bytes: a fingerprint names exact bytes, the tensor detector is what
 * sees weights of another precision).
 */
class HalfPrecisionTest {

  @TempDir Path dir;

  @Test
  void bf16AndFp16SafetensorsAreFoundAndDoNotMatchTheFp32Index() throws IOException {
    Path bf16 =
        SafetensorsWriter.write(
            dir.resolve("model-bf16.safetensors"), RealTensors.bf16(), Map.of());
    Path f16 =
        SafetensorsWriter.write(dir.resolve("model-f16.safetensors"), RealTensors.f16(), Map.of());
    FingerprintIndexBuilder b = new FingerprintIndexBuilder(AnchorParams.DEFAULT);
    for (Path p : List.of(bf16, f16)) {
      b.add(p, p.getFileName().toString(), WeightFiles.regions(p), n -> {});
    }
    FingerprintIndex index = b.build();
    Random r = new Random(5);
    for (Path p : List.of(bf16, f16)) {
      byte[] file = Files.readAllBytes(p);
      List<TensorRegion> regions = WeightFiles.regions(p);
      long first = regions.stream().mapToLong(TensorRegion::offset).min().orElseThrow();
      for (int t = 0; t < 8; t++) {
        int start = (int) first + r.nextInt((int) (file.length - first) - (1 << 20));
        byte[] slice = Arrays.copyOfRange(file, start, start + (1 << 20));
        for (byte[] body : List.of(slice, Base64.getMimeEncoder().encode(slice))) {
          FingerprintMatcher m =
              FingerprintMatcher.of(
                  index, new AnchorSampling(AnchorSampling.GATEWAY_STRIDE, start), x -> {});
          m.feed(body, 0, body.length);
          m.end();
          assertThat(m.matches()).as(p + " at " + start).isNotEmpty();
          assertThat(m.matches()).allMatch(x -> x.file().name().equals(p.getFileName().toString()));
        }
      }
      FingerprintMatcher fp32 = FingerprintMatcher.of(IndexedModel.FP32.index, x -> {});
      fp32.feed(file, 0, file.length);
      fp32.end();
      assertThat(fp32.matches()).as(p + " against the fp32 index").isEmpty();
    }
  }
}
