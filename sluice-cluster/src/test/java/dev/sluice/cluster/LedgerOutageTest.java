package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.ledger.DiskFullIo;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.ledger.LedgerVerifier;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.GrantRequest;
import dev.sluice.store.GrantResult;
import dev.sluice.store.Settlement;
import dev.sluice.time.ManualClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The etcd store while its node's ledger is not writable (a full disk, issue 15): what etcd
 * committed is still ledgered once the disk is freed, so {@code sluice ledger reconcile} matches
 * and nothing needs a restart. Found by {@code bench/soak.sh}: escrow sets settled in etcd while
 * the disk was full lost their {@code settle} entries for good.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LedgerOutageTest {

  @TempDir static Path etcdDir;
  static EtcdCluster etcd;

  @TempDir Path dir;

  private final ManualClock clock = ManualClock.at("2026-11-22T12:00:00Z");
  private final ChunkPolicy policy = new ChunkPolicy(1_000, 100_000);
  private final BudgetTree tree = ClusterFixture.tree(1_000_000);
  private final BudgetPath tenant = tree.path("z", "t", null);
  private final DiskFullIo io = new DiskFullIo();

  @BeforeAll
  static void startEtcd() throws IOException {
    etcd = EtcdCluster.start(etcdDir, 1);
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  private Ledger ledger() throws IOException {
    LedgerOptions o =
        LedgerOptions.builder(dir.resolve("gw"), "sluice/test")
            .checkpointInterval(Duration.ofMillis(50))
            .io(io)
            .build();
    return Ledger.open(o, clock, null, e -> {});
  }

  private EtcdBudgetStore open(String prefix, Ledger ledger) throws IOException {
    return ClusterFixture.open(
        tree,
        ClusterFixture.options(etcd.clientUrls(), prefix, "gw", Duration.ofSeconds(2)),
        policy,
        clock,
        ledger);
  }

  private GrantResult.Granted grant(EtcdBudgetStore s) throws Exception {
    GrantResult r = s.grant(new GrantRequest(tenant, 0, 1, 0)).get(10, TimeUnit.SECONDS);
    assertThat(r).isInstanceOf(GrantResult.Granted.class);
    return (GrantResult.Granted) r;
  }

  private Settlement settlement(GrantResult.Granted g, long sent) {
    return new Settlement(
        tenant, g.setId(), g.setTime(), g.amount(), sent, g.amount() - sent, "idle");
  }

  private ReconcileReport reconcile(String prefix) throws IOException {
    LedgerSets ledger = LedgerSets.read(dir.resolve("gw"), true);
    EtcdListing listing = EtcdListing.read(etcd.clientUrls(), prefix, Duration.ofSeconds(5));
    return Reconciliation.run(List.of(ledger), listing, ClusterFixture.UTC);
  }

  /** Frees the disk and lets the ledger repair itself (its back-off runs on the manual clock). */
  private void freeDisk(Ledger ledger) {
    io.free();
    clock.advance(Duration.ofSeconds(10));
    assertThat(EtcdCluster.poll(Duration.ofSeconds(20), ledger::healthy))
        .as("the ledger repairs itself once the disk is freed")
        .isTrue();
  }

  @Test
  void aSettlementWhoseEntryTheFullDiskRefusedIsLedgeredOnceTheDiskIsFreed() throws Exception {
    String prefix = "/sluice/settle-refused";
    try (Ledger ledger = ledger();
        EtcdBudgetStore s = open(prefix, ledger)) {
      GrantResult.Granted g = grant(s);
      clock.advance(Duration.ofSeconds(1));

      io.fillAfter(0); // the disk is full, the ledger does not know it yet
      CompletableFuture<Void> settled = s.settle(settlement(g, 400));
      assertThat(settled).failsWithin(Duration.ofSeconds(10));
      assertThat(ledger.healthy()).isFalse();
      assertThat(s.stats().owedLedgerEntries())
          .as("settled in etcd, its entry refused by the ledger: kept")
          .isEqualTo(1);

      freeDisk(ledger);
      assertThat(EtcdCluster.poll(Duration.ofSeconds(20), () -> s.stats().owedLedgerEntries() == 0))
          .as("the owed entry is appended by the background tick")
          .isTrue();
    }
    assertThat(LedgerVerifier.verify(dir.resolve("gw")).problem()).isNull();
    ReconcileReport r = reconcile(prefix);
    assertThat(r.problems()).isEmpty();
    assertThat(r.ok()).as(r.toString()).isTrue();
  }

  @Test
  void aSettlementWaitsInEtcdWhileTheLedgerIsKnownNotWritable() throws Exception {
    String prefix = "/sluice/settle-waits";
    try (Ledger ledger = ledger();
        EtcdBudgetStore s = open(prefix, ledger)) {
      GrantResult.Granted g = grant(s);
      GrantResult.Granted other = grant(s); // a second set, to fail the ledger with
      clock.advance(Duration.ofSeconds(1));

      io.fillAfter(0);
      assertThat(s.settle(settlement(other, 0))).failsWithin(Duration.ofSeconds(10));
      assertThat(ledger.healthy()).isFalse();

      assertThat(s.settle(settlement(g, 300))).failsWithin(Duration.ofSeconds(10));
      assertThat(s.stats().pendingSettlements())
          .as("not settled in etcd while its entry could not be written")
          .isEqualTo(1);

      freeDisk(ledger);
      assertThat(
              EtcdCluster.poll(
                  Duration.ofSeconds(20),
                  () -> s.stats().pendingSettlements() == 0 && s.stats().owedLedgerEntries() == 0))
          .as("settled and ledgered once the ledger is back")
          .isTrue();
    }
    assertThat(LedgerVerifier.verify(dir.resolve("gw")).problem()).isNull();
    ReconcileReport r = reconcile(prefix);
    assertThat(r.ok()).as(r.toString()).isTrue();
  }
}
