package dev.sluice.bench;

import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.escrow.Escrow;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.LocalBudgetStore;
import dev.sluice.time.Clock;
import dev.sluice.time.Window;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A charge against escrow: the per-write cost of metering on the data plane. Target: under 100 ns
 * and no allocation (check with {@code -prof gc}: {@code gc.alloc.rate.norm} ~ 0 B/op).
 *
 * <p>The account holds a 1 TiB grant from a real local store (ledger on disk), so the measured loop
 * never waits for a refill; charges are 1 byte so it never runs dry.
 *
 * <pre>
 * java -jar sluice-bench/target/benchmarks.jar EscrowChargeBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class EscrowChargeBenchmark {

  private static final long TIB = 1L << 40;

  private Path dir;
  private LocalBudgetStore store;
  private Escrow escrow;
  private EscrowAccount account;
  private Clock clock;
  private long now;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("sluice-bench-escrow");
    BudgetTree tree =
        BudgetTree.builder(List.of(new Limit(Window.LIFETIME, Long.MAX_VALUE / 2)))
            .zone("inference", List.of(new Limit(Window.DAY, Long.MAX_VALUE / 4)))
            .tenant("inference", "acme", List.of(new Limit(Window.DAY, Long.MAX_VALUE / 8)))
            .build();
    clock = Clock.system();
    store =
        LocalBudgetStore.open(
            tree,
            ZoneId.of("UTC"),
            LedgerOptions.builder(dir, "sluice/bench").build(),
            new ChunkPolicy(TIB, TIB),
            Duration.ofHours(1),
            clock);
    escrow = new Escrow(store, clock, 1, Duration.ofHours(1));
    account = escrow.account(tree.path("inference", "acme", null));
    if (account.refill(TIB).join().kind() != EscrowAccount.Outcome.Kind.GRANTED) {
      throw new IllegalStateException("no escrow granted");
    }
    now = clock.millis();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    escrow.close();
    store.close();
    Cleanup.deleteRecursively(dir);
  }

  /** The charge with the time already known (the gateway reads the clock once per event batch). */
  @Benchmark
  @Threads(1)
  public int charge() {
    return account.tryCharge(1, now);
  }

  /** The same charge reading the clock on every call. */
  @Benchmark
  @Threads(1)
  public int chargeReadingClock() {
    return account.tryCharge(1, clock.millis());
  }

  /** Two threads charging the same account: the contended compare-and-set. */
  @Benchmark
  @Threads(2)
  public int chargeContended() {
    return account.tryCharge(1, now);
  }
}
