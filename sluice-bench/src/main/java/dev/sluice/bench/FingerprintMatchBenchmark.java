package dev.sluice.bench;

import dev.sluice.detect.fingerprint.AnchorSampling;
import dev.sluice.detect.fingerprint.ChunkParams;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.detect.fingerprint.FingerprintIndexBuilder;
import dev.sluice.detect.fingerprint.FingerprintMatcher;
import dev.sluice.detect.format.DType;
import dev.sluice.detect.format.TensorRegion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fingerprint matcher on bytes that do not match (the common case), 16 MiB per operation fed in
 * 64 KiB pieces as a network stage would: throughput in MB/s is {@code 16.78 / (s/op)}. The index
 * holds 256 MiB of random "weights" (about 14 k chunks); a lookup is one per chunk (19 KB on
 * average), so the index's size barely matters (a 42 M-entry index costs about 1.3 us per lookup,
 * 0.07 ns per byte).
 *
 * <ul>
 *   <li>{@code rawOnly}: the raw lane alone on random bytes (the chunker and lookups: the ≥ 1 GB/s
 *       target);
 *   <li>{@code allLanes}: raw, base64, hex and odd-phase hex lanes on {@code input}: {@code random}
 *       bytes, {@code text} (words and JSON punctuation, where the text decoders find only short
 *       runs) or {@code base64} (random bytes base64-encoded with line breaks: every lane busy).
 * </ul>
 *
 * <pre>
 * java -jar sluice-bench/target/benchmarks.jar FingerprintMatchBenchmark
 * </pre>
 *
 * <p>On the 2-core development machine shared with other builds (load 8 to 10), the best
 * iterations: rawOnly 0.94 GB/s on random bytes; allLanes 0.52 GB/s on random bytes, 0.27 on text,
 * 0.12 on base64; the averages are lower and their error bars as large as themselves. Per CPU
 * second ({@link FingerprintScanCpu}): raw 1.32 GB/s on every input; all lanes 0.57 GB/s on random
 * bytes and text, 0.21 GB/s on base64 (every lane decoding and chunking).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class FingerprintMatchBenchmark {

  static final int INPUT = 16 << 20;
  static final int PIECE = 64 << 10;

  @Param({"random", "text", "base64"})
  public String input;

  private FingerprintIndex index;
  private byte[] bytes;

  @Setup
  public void setUp() throws IOException {
    Path weights = Files.createTempFile("bench-weights", ".bin");
    try {
      byte[] w = new byte[256 << 20];
      new Random(1).nextBytes(w);
      Files.write(weights, w);
      FingerprintIndexBuilder b = new FingerprintIndexBuilder(ChunkParams.DEFAULT);
      b.add(
          weights,
          "w",
          List.of(new TensorRegion(weights, "w", 0, w.length, DType.UNKNOWN)),
          n -> {});
      index = b.build();
    } finally {
      Files.delete(weights);
    }
    bytes = input(input);
  }

  static byte[] input(String kind) {
    Random r = new Random(2);
    switch (kind) {
      case "random" -> {
        byte[] b = new byte[INPUT];
        r.nextBytes(b);
        return b;
      }
      case "text" -> {
        String[] words = {
          "the",
          "model",
          "answer",
          "is",
          "weights",
          "of",
          "a",
          "deadbeef",
          "0x1f",
          "{\"id\":",
          "\"content\":",
          "tokens",
          "2026",
          "inference",
          "cafe",
          "and",
          "to",
          "gateway",
          "\n"
        };
        StringBuilder s = new StringBuilder(INPUT + 64);
        while (s.length() < INPUT) {
          s.append(words[r.nextInt(words.length)]).append(' ');
        }
        return s.substring(0, INPUT).getBytes(StandardCharsets.US_ASCII);
      }
      case "base64" -> {
        byte[] raw = new byte[INPUT / 4 * 3];
        r.nextBytes(raw);
        byte[] b = Base64.getMimeEncoder().encode(raw);
        return java.util.Arrays.copyOf(b, INPUT);
      }
      default -> throw new IllegalArgumentException(kind);
    }
  }

  /** The index built by {@link #setUp} (for {@link FingerprintScanCpu}). */
  FingerprintIndex index() {
    return index;
  }

  private static long scan(FingerprintMatcher m, byte[] b) {
    for (int i = 0; i < b.length; i += PIECE) {
      m.feed(b, i, Math.min(PIECE, b.length - i));
    }
    m.end();
    return m.matchCount();
  }

  @Benchmark
  public long rawOnly() {
    return scan(FingerprintMatcher.rawOnly(index, AnchorSampling.EVERY_OFFSET, x -> {}), bytes);
  }

  @Benchmark
  public long allLanes() {
    return scan(FingerprintMatcher.of(index, x -> {}), bytes);
  }
}
