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
 * quantized to int8. All lanes run (raw, base64, hex), fed in seeded random pieces.
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

  @Test
  void theInt8ModelWhenOnlyTheFp32OneIsIndexed() throws IOException {
    List<Match> matches;
    try (InputStream in = Files.newInputStream(RealModels.int8())) {
      matches = scan(in, 5);
    }
    long matched = 0;
    List<String> where = new ArrayList<>();
    for (Match m : matches) {
      matched += m.length();
      where.add(m.streamOffset() + "+" + m.length() + " <- " + m.sourceOffset());
    }
    System.out.println(
        "int8 model: " + matches.size() + " matches, " + matched + " bytes: " + where);
    assertThat(matches).isEmpty();
  }
}
