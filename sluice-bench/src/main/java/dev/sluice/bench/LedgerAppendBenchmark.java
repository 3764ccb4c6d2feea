package dev.sluice.bench;

import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable ledger appends with group commit: every append counted here was fsynced before the
 * benchmark thread moved on. Target: at least 100k entries/s.
 *
 * <p>{@code pipelined}: each thread appends a window of 256 entries (like many connections closing
 * at once) and waits for the last one to be durable; JMH reports entries/s. {@code oneByOne}: 16
 * threads each wait for every append (latency-bound: entries/s = threads / fsync latency).
 *
 * <p>The entries are connection summaries of realistic size (~200 bytes encoded). The ledger lives
 * in a temp dir on the default file system ({@code -Djava.io.tmpdir=...} to choose the disk).
 *
 * <pre>
 * java -jar sluice-bench/target/benchmarks.jar LedgerAppendBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class LedgerAppendBenchmark {

  static final int WINDOW = 256;

  private Path dir;
  private Ledger ledger;
  private LedgerEntry entry;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("sluice-bench-ledger");
    Clock clock = Clock.system();
    ledger =
        Ledger.open(
            LedgerOptions.builder(dir, "sluice/bench")
                .checkpointInterval(Duration.ofSeconds(1))
                .build(),
            clock,
            null,
            e -> {});
    entry =
        LedgerEntry.builder(EntryType.CONNECTION, clock.millis())
            .put("listener", "api")
            .putStrings("nodes", List.of("site", "zone:inference", "tenant:inference/acme"))
            .put("destination", "client:10.1.2.3")
            .put("bytes_in", 1_234L)
            .put("bytes_out", 56_789L)
            .put("charged", 57_000L)
            .put("decision", "allow")
            .put("reason", "ok")
            .put("duration_ms", 1_523L)
            .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    ledger.close();
    Cleanup.deleteRecursively(dir);
  }

  @Benchmark
  @Threads(4)
  @OperationsPerInvocation(WINDOW)
  public long pipelined() {
    CompletableFuture<Long> last = null;
    for (int i = 0; i < WINDOW; i++) {
      last = ledger.append(entry);
    }
    return last.join();
  }

  @Benchmark
  @Threads(16)
  public long oneByOne() {
    return ledger.append(entry).join();
  }
}
