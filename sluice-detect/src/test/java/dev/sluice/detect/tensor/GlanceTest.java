package dev.sluice.detect.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.detect.format.DType;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The first look at a block: real weights of every float type and carrier always pass it (so they
 * are counted as before), text, random bytes and zeros never do (so they cost the glance alone).
 */
class GlanceTest {
  private static final int BLOCK = TensorDetector.BLOCK;

  private static Map<String, byte[]> weights() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (String model : List.of(WeightBytes.MINILM, WeightBytes.BGE)) {
      for (DType t : List.of(DType.F32, DType.F16, DType.BF16)) {
        byte[] w = t == DType.F32 ? WeightBytes.of(model, t) : WeightBytes.converted(model, t);
        m.put(model + " " + t, w);
      }
    }
    byte[] f32 = Negatives.head(WeightBytes.of(WeightBytes.BGE, DType.F32), 4 << 20);
    m.put("bge fp32 base64", Base64.getEncoder().encode(f32));
    m.put("bge fp32 MIME base64", Base64.getMimeEncoder().encode(f32));
    m.put("bge fp32 hex", HexFormat.of().formatHex(f32).getBytes());
    return m;
  }

  private static Map<String, byte[]> ordinary() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("corpus text", Negatives.corpusText());
    m.put("random", Negatives.random(8 << 20, 3));
    m.put("zeros", new byte[8 << 20]);
    return m;
  }

  @Test
  void everyBlockOfRealWeightsPassesAtEveryPhase() {
    SplittableRandom random = new SplittableRandom(31);
    for (Map.Entry<String, byte[]> e : weights().entrySet()) {
      byte[] w = e.getValue();
      int blocks = 0;
      for (int off = 0; off + BLOCK + 4096 <= w.length; off += BLOCK + 1) {
        // off moves by one byte a block, so blocks start at every stream lane; lengths vary as
        // those of a range's last block and of decoded runs do
        int len = BLOCK - 4096 + off % 8191;
        assertThat(Glance.mayMatter(w, off, len, off, random))
            .as(e.getKey() + " block of " + len + " at " + off)
            .isTrue();
        blocks++;
      }
      assertThat(blocks).as(e.getKey()).isGreaterThan(40);
    }
  }

  @Test
  void noBlockOfTextRandomBytesOrZerosPasses() {
    SplittableRandom random = new SplittableRandom(32);
    for (Map.Entry<String, byte[]> e : ordinary().entrySet()) {
      byte[] b = e.getValue();
      for (int off = 0; off + BLOCK <= b.length; off += BLOCK + 1) {
        assertThat(Glance.mayMatter(b, off, BLOCK, off, random))
            .as(e.getKey() + " block at " + off)
            .isFalse();
      }
    }
  }

  @Test
  void textRandomBytesAndZerosAreNeverCountedIntoHistograms() {
    // before the glance, the detector counted four 2 KiB samples of each block: 1/8 of the bytes
    for (Map.Entry<String, byte[]> e : ordinary().entrySet()) {
      TensorDetector d = new TensorDetector(new SplittableRandom(33));
      byte[] b = e.getValue();
      for (int off = 0; off + Slices.SLICE <= b.length; off += Slices.SLICE) {
        assertThat(d.scan(b, off, Slices.SLICE)).as(e.getKey()).isEmpty();
      }
      assertThat(d.bytesCounted()).as(e.getKey()).isZero();
    }
  }

  @Test
  void aBlockOfWeightsIsStillCountedInFull() {
    // 20 KiB of each 64 KiB block: the four fixed samples and the first 1 KiB of every other 4 KiB
    byte[] w = WeightBytes.of(WeightBytes.BGE, DType.F32);
    TensorDetector d = new TensorDetector(new SplittableRandom(34));
    int slices = 16;
    for (int k = 0; k < slices; k++) {
      assertThat(d.scan(w, (1 << 20) + k * Slices.SLICE, Slices.SLICE)).hasSize(1);
    }
    assertThat(d.bytesCounted()).isEqualTo(slices * 2 * 20 * 1024L);
  }
}
