package dev.sluice.detect.compressibility;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import dev.sluice.detect.format.fixtures.RealModels;
import dev.sluice.detect.format.fixtures.RealTensors;
import dev.sluice.detect.format.fixtures.WeightTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The probe on real bytes of each kind an inference site sends or might leak: the shared corpus's
 * answers as the JSON lines they are stored in (legitimate text), AES-GCM ciphertext and random
 * bytes (encrypted), that text compressed with zstd (packed), and the real all-MiniLM-L6-v2 weights
 * (fp32, and converted to fp16 and bf16; int8 from the quantized model). Each is streamed through a
 * {@link CompressibilityProbe} in writes of 1 to 16 KiB, as a connection's egress arrives, and the
 * probe's compressed/raw ratio is compared with zstd -3 on the same bytes (printed).
 */
class ProbeOnRealDataTest {

  private static final int SIZE = 8 << 20;
  private static byte[] text;

  @BeforeAll
  static void readCorpus() throws IOException {
    Path dir = corpusDir();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String f : List.of("arena-hard-answers.jsonl.gz", "alpaca-eval-outputs.jsonl.gz")) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(f)))) {
        out.write(in.readNBytes(SIZE / 2));
      }
    }
    text = out.toByteArray();
  }

  @Test
  void textCompresses() {
    double r = report("corpus text (JSON lines)", text);
    assertThat(r).isBetween(0.5, 0.75);
  }

  @Test
  void encryptedAndRandomBytesDoNot() throws Exception {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(new byte[16], "AES"),
        new GCMParameterSpec(128, new byte[12]));
    assertThat(report("AES-GCM of the text", c.doFinal(text))).isGreaterThan(0.98);
    byte[] random = new byte[SIZE];
    new SplittableRandom(17).nextBytes(random);
    assertThat(report("random bytes", random)).isGreaterThan(0.98);
  }

  @Test
  void zstdCompressedTextDoesNot() {
    byte[] packed = Zstd.compress(text, 3);
    assertThat(report("zstd -3 of the text", packed)).isGreaterThan(0.97);
  }

  @Test
  void realFloatWeightsLookAsToZstd() {
    // fp32 and fp16 are above the default alerts.incompressible.ratio (0.85), as with zstd
    assertThat(report("fp32 weights", concat(RealTensors.fp32()))).isGreaterThan(0.88);
    assertThat(report("fp16 weights", concat(RealTensors.f16()))).isGreaterThan(0.88);
    // bf16 keeps fp32's skewed exponent byte and drops half the mantissa: below it, as with zstd
    assertThat(report("bf16 weights", concat(RealTensors.bf16()))).isBetween(0.7, 0.85);
  }

  @Test
  void int8WeightsCompressSomewhat() throws IOException {
    byte[] file = Files.readAllBytes(RealModels.int8());
    // int8 values cluster near 0: not incompressible (zstd -3 agrees within 0.02)
    assertThat(report("int8 model file", file)).isBetween(0.6, 0.75);
  }

  /**
   * Streams {@code data} through a probe in writes of 1 B to 16 KiB; prints and returns the ratio.
   */
  static double report(String what, byte[] data) {
    long[] sums = new long[2];
    CompressibilityProbe.Sink sink =
        (raw, compressed) -> {
          sums[0] += raw;
          sums[1] += compressed;
        };
    CompressibilityProbe p = new CompressibilityProbe(new SplittableRandom(5));
    SplittableRandom sizes = new SplittableRandom(9);
    int off = 0;
    while (off < data.length) {
      int n = Math.min(data.length - off, 1 + sizes.nextInt(16 * 1024));
      int base = off;
      p.accept((from, dst, at, len) -> System.arraycopy(data, base + from, dst, at, len), n, sink);
      off += n;
    }
    p.finish(sink);
    assertThat(sums[0]).isEqualTo(data.length);
    double probe = (double) sums[1] / sums[0];
    double zstd = (double) Zstd.compress(data, 3).length / data.length;
    System.out.printf(
        Locale.ROOT,
        "probe %-26s %9d bytes: probe %.3f, zstd -3 %.3f%n",
        what,
        data.length,
        probe,
        zstd);
    return probe;
  }

  private static byte[] concat(List<WeightTensor> tensors) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (WeightTensor t : tensors) {
      out.writeBytes(t.bytes());
    }
    return out.toByteArray();
  }

  static Path corpusDir() {
    String p = System.getProperty("sluice.corpus.dir");
    if (p != null) {
      return Path.of(p);
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path c = d.resolve("shared/corpus");
      if (Files.isDirectory(c)) {
        return c;
      }
    }
    throw new IllegalStateException("no shared/corpus above " + Path.of("").toAbsolutePath());
  }
}
