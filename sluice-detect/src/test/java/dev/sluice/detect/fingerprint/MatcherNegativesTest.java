package dev.sluice.detect.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.detect.format.fixtures.RealModels;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What must not match the index of the real float32 model: model text (the shared corpus, read
 * where it lies, never copied), random bytes, every jar on the test classpath, and the same model
 * quantized to int8, except where the int8 file holds the very bytes of the fp32 one (a float
 * tensor the quantizer kept as it was). All lanes run (raw, base64, hex), fed in seeded random
 * pieces.
 */
class MatcherNegativesTest {

  private static List<Match> scan(InputStream in, long seed) throws IOException {
    FingerprintMatcher m = FingerprintMatcher.of(IndexedModel.FP32.index, x -> {});
    Random r = new Random(seed);
    byte[] buf = new byte[65536];
    while (true) {
      int n = in.read(buf, 0, 1 + r.nextInt(buf.length));
      if (n < 0) {
        break;
      }
      m.feed(buf, 0, n);
    }
    m.end();
    return m.matches();
  }

  @Test
  void modelTextFromTheCorpusDoesNotMatch() throws IOException {
    Path corpus = Path.of("../../shared/corpus");
    if (!Files.isDirectory(corpus)) {
      corpus = Path.of("/work/shared/corpus");
    }
    Assumptions.assumeTrue(Files.isDirectory(corpus), "no shared corpus beside the repository");
    long bytes = 0;
    try (var files = Files.list(corpus)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".jsonl.gz")).toList()) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p), 65536)) {
          assertThat(scan(in, 1)).as(p.toString()).isEmpty();
        }
        try (InputStream in = Files.newInputStream(p)) {
          assertThat(scan(in, 2)).as(p + " compressed").isEmpty();
        }
        bytes += Files.size(p);
      }
    }
    assertThat(bytes).isGreaterThan(0);
  }

  @Test
  void randomBytesDoNotMatch() throws IOException {
    byte[] noise = new byte[64 << 20];
    new Random(3).nextBytes(noise);
    assertThat(scan(new java.io.ByteArrayInputStream(noise), 4)).isEmpty();
  }

  @Test
  void jarsOnTheClasspathDoNotMatch() throws IOException {
    int jars = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.endsWith(".jar")) {
        try (InputStream in = Files.newInputStream(Path.of(entry))) {
          assertThat(scan(in, jars)).as(entry).isEmpty();
        }
        jars++;
      }
    }
    assertThat(jars).isGreaterThan(10);
  }

  /**
   * The int8 file keeps one float tensor of the fp32 model byte for byte (126,187 bytes at fp32
   * offset 47,792,601): a 4 KiB segment of it is in the index, so that stretch matches, and it is
   * the fp32 model's bytes indeed. Nothing else of the int8 file matches (version 1's chunks, 19 KB
   * on average, were too long to lie inside the shared tensor and matched nothing).
   */
  @Test
  void theInt8ModelMatchesOnlyWhereItHoldsTheFp32ModelsBytes() throws IOException {
    List<Match> matches;
    byte[] int8 = Files.readAllBytes(RealModels.int8());
    try (InputStream in = new java.io.ByteArrayInputStream(int8)) {
      matches = scan(in, 5);
    }
    long matched = 0;
    List<String> where = new ArrayList<>();
    byte[] fp32 = IndexedModel.FP32.bytes;
    for (Match m : matches) {
      matched += m.length();
      where.add(m.streamOffset() + "+" + m.length() + " <- " + m.sourceOffset());
      int at = (int) m.streamOffset();
      int from = (int) m.sourceOffset();
      assertThat(java.util.Arrays.equals(int8, at, at + 4096, fp32, from, from + 4096))
          .as("int8 bytes at " + at + " are the fp32 model's at " + from)
          .isTrue();
    }
    System.out.println(
        "int8 model: " + matches.size() + " matches, " + matched + " bytes: " + where);
    assertThat(matched).isLessThan(int8.length / 100);
  }
}
