package dev.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetPath;
import dev.sluice.escrow.Escrow;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.time.Window;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotCheckTest {

  @TempDir Path dir;

  private Path ledgerDir() {
    return dir.resolve("ledger");
  }

  /** Traffic over two days through escrow, ending with a clean close (snapshot written). */
  private void runTwoDays() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    f.clock.setWall(Instant.parse("2026-11-22T23:59:00Z"));
    try (LocalBudgetStore store = f.open()) {
      Escrow escrow = new Escrow(store, f.clock, 25, StoreFixture.TTL);
      List<BudgetPath> paths =
          List.of(
              f.tree.path("inference", "acme", null),
              f.tree.path("employee", "default", "*.corp.example"));
      for (int i = 0; i < 200; i++) {
        EscrowAccount a = escrow.account(paths.get(i % 2));
        if (a.tryCharge(700) != EscrowAccount.CHARGED) {
          a.refill(700).join();
          a.tryCharge(700);
        }
        f.clock.advance(Duration.ofMillis(700));
      }
      escrow.close();
    }
  }

  @Test
  void countersInTheSnapshotEqualTheSumOfTheLedger() throws Exception {
    runTwoDays();
    SnapshotCheck.Result r = SnapshotCheck.check(ledgerDir());
    assertThat(r.snapshotPresent()).isTrue();
    assertThat(r.entriesChecked()).isPositive();
    assertThat(r.problems()).isEmpty();
  }

  @Test
  void noSnapshotIsNotAProblem() throws Exception {
    runTwoDays();
    Files.delete(ledgerDir().resolve(LocalBudgetStore.SNAPSHOT_FILE));
    SnapshotCheck.Result r = SnapshotCheck.check(ledgerDir());
    assertThat(r.snapshotPresent()).isFalse();
    assertThat(r.ok()).isTrue();
  }

  @Test
  void aCounterThatDisagreesWithTheLedgerIsNamed() throws Exception {
    runTwoDays();
    Path file = ledgerDir().resolve(LocalBudgetStore.SNAPSHOT_FILE);
    StoreSnapshot s = StoreSnapshot.read(file);
    List<StoreSnapshot.NodeCounters> nodes = new ArrayList<>(s.nodes());
    StoreSnapshot.NodeCounters acme =
        nodes.stream().filter(n -> n.nodeId().equals("tenant:inference/acme")).findFirst().get();
    long[] spent = acme.spent().clone();
    spent[Window.LIFETIME.ordinal()] -= 1;
    nodes.set(
        nodes.indexOf(acme),
        new StoreSnapshot.NodeCounters(acme.nodeId(), acme.periodStart(), spent, acme.sent()));
    new StoreSnapshot(
            s.timeZone(), s.position(), s.maxGrantId(), s.latestTime(), nodes, s.openSets())
        .write(file);

    SnapshotCheck.Result r = SnapshotCheck.check(ledgerDir());
    assertThat(r.problems())
        .singleElement()
        .asString()
        .contains("tenant:inference/acme lifetime")
        .contains("the ledger sums to spent=" + (spent[Window.LIFETIME.ordinal()] + 1));
  }

  @Test
  void everyFlippedBitOfTheSnapshotIsDetected() throws Exception {
    runTwoDays();
    Path file = ledgerDir().resolve(LocalBudgetStore.SNAPSHOT_FILE);
    byte[] good = Files.readAllBytes(file);
    for (int bit = 0; bit < good.length * 8; bit++) {
      byte[] bad = good.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      Files.write(file, bad);
      SnapshotCheck.Result r = SnapshotCheck.check(ledgerDir());
      assertThat(r.ok()).as("bit %d", bit).isFalse();
      assertThat(r.problems().get(0)).contains("byte offset");
    }
  }
}
