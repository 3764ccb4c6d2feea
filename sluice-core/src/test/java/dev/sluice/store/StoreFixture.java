package dev.sluice.store;

import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.time.ManualClock;
import dev.sluice.time.Window;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/** A small budget tree and the options to open a local store on it in a temp dir. */
public final class StoreFixture {

  public static final ZoneId UTC = ZoneId.of("UTC");
  public static final Duration TTL = Duration.ofSeconds(30);

  public final Path dataDir;
  public final ManualClock clock;
  public final BudgetTree tree;
  public ChunkPolicy policy = new ChunkPolicy(1_000, 100_000);
  public ZoneId zone = UTC;

  public StoreFixture(Path dataDir) {
    this(dataDir, ManualClock.at("2026-11-22T10:00:00Z"));
  }

  public StoreFixture(Path dataDir, ManualClock clock) {
    this(dataDir, clock, defaultTree());
  }

  public StoreFixture(Path dataDir, ManualClock clock, BudgetTree tree) {
    this.dataDir = dataDir;
    this.clock = clock;
    this.tree = tree;
  }

  /**
   * site: day 1 MB, lifetime 10 MB; zone inference: day 600 kB; tenants acme (day 400 kB, month 2
   * MB), beta.
   */
  public static BudgetTree defaultTree() {
    return BudgetTree.builder(
            List.of(new Limit(Window.DAY, 1_000_000), new Limit(Window.LIFETIME, 10_000_000)))
        .zone("inference", List.of(new Limit(Window.DAY, 600_000)))
        .tenant(
            "inference",
            "acme",
            List.of(new Limit(Window.DAY, 400_000), new Limit(Window.MONTH, 2_000_000)))
        .tenant("inference", "beta", List.of())
        .zone("employee", List.of())
        .tenant("employee", "default", List.of(new Limit(Window.DAY, 300_000)))
        .destination("employee", "*.corp.example", List.of(new Limit(Window.DAY, 200_000)))
        .build();
  }

  public LedgerOptions ledgerOptions() {
    return LedgerOptions.builder(dataDir, "sluice/test")
        .checkpointInterval(Duration.ofMillis(10))
        .build();
  }

  public LocalBudgetStore open() throws IOException {
    return LocalBudgetStore.open(tree, zone, ledgerOptions(), policy, TTL, clock);
  }
}
