package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.escrow.Escrow;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.LocalBudgetStore;
import dev.sluice.time.ManualClock;
import dev.sluice.time.Window;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice ledger verify} on a ledger written by a real local budget store. */
class LedgerVerifyBudgetTest {

  @TempDir Path dataDir;

  @BeforeEach
  void runAStore() throws Exception {
    ManualClock clock = ManualClock.at("2026-11-22T10:00:00Z");
    BudgetTree tree =
        BudgetTree.builder(List.of(new Limit(Window.DAY, 1_000_000)))
            .zone("inference", List.of())
            .tenant("inference", "acme", List.of(new Limit(Window.DAY, 100_000)))
            .build();
    try (LocalBudgetStore store =
        LocalBudgetStore.open(
            tree,
            ZoneId.of("UTC"),
            LedgerOptions.builder(dataDir, "sluice/test").build(),
            new ChunkPolicy(1_000, 10_000),
            Duration.ofSeconds(30),
            clock)) {
      Escrow escrow = new Escrow(store, clock, 25, Duration.ofSeconds(30));
      EscrowAccount a = escrow.account(tree.path("inference", "acme", null));
      for (int i = 0; i < 50; i++) {
        if (a.tryCharge(900) != EscrowAccount.CHARGED) {
          a.refill(900).join();
          a.tryCharge(900);
        }
      }
      escrow.close();
    }
  }

  @Test
  void aStoresLedgerVerifiesWithItsCountersEqualToTheSum() {
    CliRun r = CliRun.of("ledger", "verify", dataDir.toString());
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("OK ledger")
        .containsPattern("tenant:inference/acme\\s+\\d+\\s+\\d+\\s+45000\\s+45000\\s+0")
        .contains("budget counters: the snapshot's counters equal the sum of the first");
  }

  @Test
  void aDamagedSnapshotFailsVerifyNamingTheOffset() throws Exception {
    Path snap = dataDir.resolve("ledger").resolve(LocalBudgetStore.SNAPSHOT_FILE);
    byte[] b = Files.readAllBytes(snap);
    b[20] ^= 1;
    Files.write(snap, b);
    CliRun r = CliRun.of("ledger", "verify", dataDir.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out())
        .startsWith("FAIL budget counters: ")
        .contains("budget.snapshot: byte offset");
  }
}
