package dev.sluice.bench;

import dev.sluice.codec.CodecFormatException;
import dev.sluice.codec.CodecModel;
import dev.sluice.codec.GatewayWrites;
import dev.sluice.codec.ModelTrainer;
import dev.sluice.codec.StreamDecoder;
import dev.sluice.codec.StreamEncoder;
import dev.sluice.codec.TrainingProgress;
import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.HeldOut;
import dev.sluice.codec.sample.SampleOptions;
import dev.sluice.codec.sample.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the egress codec on SSE input, one thread: {@code encode} compresses one stream
 * with a fresh {@link StreamEncoder}, written as {@code sluice codec bench} writes it ({@link
 * GatewayWrites}), {@code decode} restores one stream's segments with a fresh {@link
 * StreamDecoder}. Each operation is one whole stream, taken round-robin from the set. Target
 * (issues 7 and 13): at least 50 MB/s of stream input per core each way.
 *
 * <p>Reported: {@code ops/s} (streams per second), the {@code bytes} counter, <b>bytes of stream
 * input per second</b> (divide by 10^6 for MB/s), and the {@code text} counter, bytes of answer
 * text per second. The streams are the held-out Arena-Hard answers (prompts in one tenth by hash;
 * Apache-2.0) framed as the {@code family} parameter's server writes them, cut by o200k; the model
 * is trained in {@code @Setup} on the other Arena-Hard answers (tables of 2^16 buckets, as the
 * built-in model). Corpus directory: {@code -p corpus=...} (default {@code ../shared/corpus},
 * relative to where the JVM runs: the repository).
 *
 * <pre>
 * java -jar sluice-bench/target/benchmarks.jar CodecBenchmark
 * java -jar sluice-bench/target/benchmarks.jar CodecBenchmark -p family=anthropic
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// A fixed, pre-touched heap, as a long-running gateway has: otherwise the first seconds pay the
// kernel for zeroing fresh heap pages (4% of an encode profile) while the heap grows.
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CodecBenchmark {

  @Param("../shared/corpus")
  public String corpus;

  /**
   * A model file and a directory of streams (e.g. those of {@code bench/codec.sh}: {@code -p
   * model=sluice-bench/target/codec/model.slcm -p
   * streams=sluice-bench/target/codec/streams/alpaca-eval/openai-chat}, one family's directory);
   * empty: the Arena-Hard set above.
   */
  @Param("")
  public String model;

  @Param("")
  public String streams;

  /** The family the held-out answers are framed as (without {@code model} and {@code streams}). */
  @Param({"openai-chat", "vllm", "openai-responses", "anthropic", "ollama-chat"})
  public String family;

  private long[] texts;

  private CodecModel codecModel;
  private byte[][] inputs;
  private List<List<byte[]>> segments;

  /** Bytes of SSE input processed; JMH reports it per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    public long bytes;
    public long text;
    int next;

    @Setup(Level.Iteration)
    public void reset() {
      bytes = 0;
      text = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException, CodecFormatException {
    if (!model.isEmpty() && !streams.isEmpty()) {
      codecModel = CodecModel.read(Path.of(model));
      List<byte[]> files = new ArrayList<>();
      try (java.util.stream.Stream<Path> list = java.nio.file.Files.list(Path.of(streams))) {
        for (Path f : list.sorted().toList()) {
          // A family's directory holds each stream's answer text beside it (NAME.text): skip it.
          if (java.nio.file.Files.isRegularFile(f) && !f.toString().endsWith(".text")) {
            files.add(java.nio.file.Files.readAllBytes(f));
          }
        }
      }
      prepare(files);
      return;
    }
    List<HeldOut.Answer> arena = HeldOut.read(Path.of(corpus, HeldOut.ARENA_HARD));
    // The built-in model's table size: what a gateway without a model of its own runs.
    ModelTrainer trainer = new ModelTrainer().tableBits(16);
    Family f = Family.byId(family);
    SplittableRandom rnd = new SplittableRandom(20261206);
    List<byte[]> held = new ArrayList<>();
    List<Long> text = new ArrayList<>();
    for (HeldOut.Answer a : arena) {
      if (HeldOut.heldOutPrompt(a.prompt())) {
        SampleOptions o =
            SampleOptions.defaults()
                .withCreated(SampleOptions.DEFAULT_CREATED + rnd.nextInt(1 << 24))
                .withPromptTokens(1 + rnd.nextInt(600));
        held.add(f.build(a.text(), Tokenizer.o200k(), rnd, o).body());
        text.add((long) a.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
      } else {
        trainer.add(a.text());
      }
    }
    texts = text.stream().mapToLong(Long::longValue).toArray();
    codecModel = CodecModel.fromBytes(trainer.build(TrainingProgress.NONE), "arena-hard training");
    prepare(held);
  }

  private void prepare(List<byte[]> held) throws CodecFormatException {
    inputs = held.toArray(new byte[0][]);
    segments = new ArrayList<>();
    long total = 0;
    for (byte[] s : inputs) {
      List<byte[]> segs = new ArrayList<>();
      encode(s, segs);
      byte[] back = decode(segs);
      if (!Arrays.equals(back, s)) {
        throw new IllegalStateException("a stream does not round-trip");
      }
      segments.add(segs);
      total += s.length;
    }
    System.out.printf(
        "%n%d streams, %d bytes of SSE input, %.0f bytes a stream%n",
        inputs.length, total, (double) total / inputs.length);
  }

  @Benchmark
  public int encode(Bytes b) {
    int i = b.next++ % inputs.length;
    byte[] s = inputs[i];
    b.bytes += s.length;
    b.text += texts == null ? 0 : texts[i];
    return encode(s, null);
  }

  @Benchmark
  public int decode(Bytes b) throws CodecFormatException {
    int i = b.next++ % inputs.length;
    b.bytes += inputs[i].length;
    b.text += texts == null ? 0 : texts[i];
    return decode(segments.get(i)).length;
  }

  /** Compresses {@code s}; returns the bytes of its segments, which go to {@code out} if given. */
  private int encode(byte[] s, List<byte[]> out) {
    int[] coded = {0};
    GatewayWrites.encode(
        new StreamEncoder(codecModel),
        s,
        seg -> {
          coded[0] += seg.length;
          if (out != null) {
            out.add(seg);
          }
        });
    return coded[0];
  }

  private byte[] decode(List<byte[]> segs) throws CodecFormatException {
    StreamDecoder dec = new StreamDecoder(codecModel);
    if (segs.size() == 1) {
      byte[] seg = segs.get(0);
      return dec.decode(seg, 0, seg.length);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] seg : segs) {
      out.writeBytes(dec.decode(seg, 0, seg.length));
    }
    return out.toByteArray();
  }
}
