package dev.sluice.bench;

import dev.sluice.detect.compressibility.CompressibilityProbe;
import dev.sluice.detect.compressibility.EntropyEstimate;
import java.util.SplittableRandom;
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
 * The incompressible-egress probe's cost per egress write ({@link CompressibilityProbe#accept} of
 * one write of {@code writeBytes}, sampling 256-byte chunks 1 in 64), next to copying the same
 * bytes once ({@code copy}: the least any write to a socket costs) and to estimating every byte
 * ({@code entropyEveryByte}: what the probe would cost without sampling). The meter's own charge is
 * {@code EscrowChargeBenchmark.charge} (about 6 ns per write).
 *
 * <pre>
 * java -jar sluice-bench/target/benchmarks.jar CompressibilityProbeBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class CompressibilityProbeBenchmark {

  private static final int DATA = 16 << 20;

  @Param({"1460", "16384", "65536"})
  public int writeBytes;

  private byte[] data;
  private byte[] copy;
  private CompressibilityProbe probe;
  private int offset;
  private long raw;
  private long compressed;

  @Setup
  public void setUp() {
    data = new byte[DATA];
    new SplittableRandom(7).nextBytes(data);
    copy = new byte[writeBytes];
    probe = new CompressibilityProbe(new SplittableRandom(11));
  }

  private int next() {
    int o = offset;
    offset = o + writeBytes > DATA - writeBytes ? 0 : o + writeBytes;
    return o;
  }

  /** One write through the probe. */
  @Benchmark
  public long probe() {
    int o = next();
    probe.accept(
        (from, dst, at, len) -> System.arraycopy(data, o + from, dst, at, len),
        writeBytes,
        (r, c) -> {
          raw += r;
          compressed += c;
        });
    return compressed;
  }

  /** Copying the write's bytes once. */
  @Benchmark
  public byte[] copy() {
    System.arraycopy(data, next(), copy, 0, writeBytes);
    return copy;
  }

  /** The entropy estimate of every byte of the write (no sampling). */
  @Benchmark
  public int entropyEveryByte() {
    return EntropyEstimate.compressedBytes(data, next(), writeBytes);
  }
}
