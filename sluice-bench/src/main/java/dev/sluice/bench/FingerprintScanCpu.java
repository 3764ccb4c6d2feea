package dev.sluice.bench;

import dev.sluice.detect.fingerprint.AnchorSampling;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.detect.fingerprint.FingerprintMatcher;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * The fingerprint matcher's scan speed per CPU second (the thread's CPU time, not the wall clock),
 * on the inputs of {@link FingerprintMatchBenchmark}: on a machine shared with other work the wall
 * clock measures the contention, the CPU time what one core does. Runs each case 8 times and prints
 * the last 3 (after the JIT has compiled the loops).
 *
 * <pre>
 * java -cp sluice-bench/target/benchmarks.jar dev.sluice.bench.FingerprintScanCpu
 * </pre>
 */
public final class FingerprintScanCpu {

  private FingerprintScanCpu() {}

  public static void main(String[] args) throws IOException {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    FingerprintMatchBenchmark setup = new FingerprintMatchBenchmark();
    setup.input = "random";
    setup.setUp();
    FingerprintIndex index = setup.index();
    String[] kinds = {"random", "text", "base64"};
    byte[][] inputs = new byte[kinds.length][];
    for (int k = 0; k < kinds.length; k++) {
      inputs[k] = FingerprintMatchBenchmark.input(kinds[k]);
    }
    for (int round = 0; round < 8; round++) {
      StringBuilder line = new StringBuilder();
      for (int k = 0; k < kinds.length; k++) {
        for (boolean all : new boolean[] {false, true}) {
          long before = threads.getCurrentThreadCpuTime();
          FingerprintMatcher m =
              all
                  ? FingerprintMatcher.of(index, x -> {})
                  : FingerprintMatcher.rawOnly(index, AnchorSampling.EVERY_OFFSET, x -> {});
          byte[] b = inputs[k];
          for (int i = 0; i < b.length; i += FingerprintMatchBenchmark.PIECE) {
            m.feed(b, i, Math.min(FingerprintMatchBenchmark.PIECE, b.length - i));
          }
          m.end();
          long cpu = threads.getCurrentThreadCpuTime() - before;
          line.append(
              String.format(
                  Locale.ROOT,
                  "%s/%s %.2f GB/s  ",
                  kinds[k],
                  all ? "all lanes" : "raw",
                  b.length / (cpu / 1e9) / 1e9));
        }
      }
      if (round >= 5) {
        System.out.println(line.toString().trim());
      }
    }
  }
}
