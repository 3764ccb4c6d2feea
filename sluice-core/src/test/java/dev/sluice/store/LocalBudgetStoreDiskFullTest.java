package dev.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetPath;
import dev.sluice.ledger.DiskFullIo;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.ledger.LedgerVerifier;
import dev.sluice.ledger.Polling;
import dev.sluice.ledger.VerifyReport;
import dev.sluice.time.Window;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local store's ledger disk fills up and is freed again while the store stays open: grants are
 * refused meanwhile, resume by themselves afterwards, and neither the live counters, the ledger's
 * totals (verified while open) nor the counters rebuilt at the next start fall below the bytes that
 * were admitted.
 */
class LocalBudgetStoreDiskFullTest {

  private static final String ACME = "tenant:inference/acme";

  @TempDir Path dir;

  private static long spent(LocalBudgetStore s, String node) {
    return s.usage(s.tree().node(node), Window.DAY).spent();
  }

  @Test
  void grantsStopWhileTheDiskIsFullAndResumeWhenItIsFreedWithoutUnderCounting() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    DiskFullIo io = new DiskFullIo();
    LedgerOptions options =
        LedgerOptions.builder(dir, "sluice/test")
            .checkpointInterval(Duration.ofMillis(10))
            .io(io)
            .build();
    BudgetPath acme = f.tree.path("inference", "acme", null);
    long admitted = 0;
    try (LocalBudgetStore store =
        LocalBudgetStore.open(f.tree, f.zone, options, f.policy, StoreFixture.TTL, f.clock)) {
      admitted += granted(store.grant(new GrantRequest(acme, 0, 10_000, 0)).join());

      io.fillAfter(40); // the next GRANT record is torn after 40 bytes
      assertThat(store.grant(new GrantRequest(acme, 0, 20_000, 0)).join())
          .isInstanceOf(GrantResult.Unavailable.class);
      assertThat(store.grant(new GrantRequest(acme, 0, 5_000, 0)).join())
          .as("refused while the ledger is unavailable")
          .isInstanceOf(GrantResult.Unavailable.class);
      assertThat(spent(store, ACME)).isGreaterThanOrEqualTo(admitted);

      io.free();
      f.clock.advance(Duration.ofSeconds(10));
      Polling.await("the ledger to be healthy again", () -> store.ledger().healthy());
      admitted += granted(store.grant(new GrantRequest(acme, 0, 30_000, 0)).join());

      assertThat(spent(store, ACME)).isGreaterThanOrEqualTo(admitted);
      VerifyReport v = LedgerVerifier.verify(dir);
      assertThat(v.problem()).as("verifies while the store is open").isNull();
      assertThat(v.totals().get(ACME).spent()).isGreaterThanOrEqualTo(admitted);
    }
    try (LocalBudgetStore again = f.open()) {
      assertThat(spent(again, ACME)).as("rebuilt at start").isGreaterThanOrEqualTo(admitted);
    }
    assertThat(LedgerVerifier.verify(dir).problem()).isNull();
  }

  /**
   * Found by bench/soak.sh: a grant the full disk refused stayed in the counters, and the next
   * periodic snapshot wrote it while the ledger had no entry for it, so {@code ledger verify}
   * failed ("snapshot says spent=..., the ledger sums to ..."). The refused entry is now owed and
   * appended once the ledger is writable; no snapshot is written before.
   */
  @Test
  void aGrantTheFullDiskRefusedIsLedgeredOnceFreedSoSnapshotAndLedgerAgree() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    DiskFullIo io = new DiskFullIo();
    LedgerOptions options =
        LedgerOptions.builder(dir, "sluice/test")
            .checkpointInterval(Duration.ofMillis(10))
            .io(io)
            .build();
    BudgetPath acme = f.tree.path("inference", "acme", null);
    try (LocalBudgetStore store =
        LocalBudgetStore.open(f.tree, f.zone, options, f.policy, StoreFixture.TTL, f.clock)) {
      granted(store.grant(new GrantRequest(acme, 0, 10_000, 0)).join());
      long before = spent(store, ACME);

      io.fillAfter(40);
      assertThat(store.grant(new GrantRequest(acme, 0, 20_000, 0)).join())
          .isInstanceOf(GrantResult.Unavailable.class);
      assertThat(spent(store, ACME)).as("the refused grant stays counted").isGreaterThan(before);

      io.free();
      f.clock.advance(Duration.ofSeconds(10));
      Polling.await("the ledger to be healthy again", () -> store.ledger().healthy());
      Polling.await("the owed entry to be appended", () -> store.owedEntries() == 0);
      granted(store.grant(new GrantRequest(acme, 0, 1_000, 0)).join()); // traffic goes on
      store.snapshot(); // as the periodic snapshot does

      VerifyReport v = LedgerVerifier.verify(dir);
      assertThat(v.problem()).as("snapshot, counters and ledger agree").isNull();
      assertThat(v.totals().get(ACME).spent()).isEqualTo(spent(store, ACME));
    }
    assertThat(LedgerVerifier.verify(dir).problem()).isNull();
  }

  private static long granted(GrantResult r) {
    assertThat(r).isInstanceOf(GrantResult.Granted.class);
    return ((GrantResult.Granted) r).amount();
  }
}
