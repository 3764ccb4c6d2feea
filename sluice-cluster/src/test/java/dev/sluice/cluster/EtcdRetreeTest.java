package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.NodeIds;
import dev.sluice.escrow.Escrow;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.escrow.EscrowAccount.Outcome;
import dev.sluice.ledger.Ledger;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.time.ManualClock;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload applied in place on the etcd store (one real etcd member): the counters, keyed by node
 * id, stay; the escrow held is settled back into them; the account a connection holds then pays the
 * new tree's cap, which the etcd store reads from the grant's path.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EtcdRetreeTest {

  @TempDir static Path etcdDir;
  static EtcdCluster etcd;
  static Client client;

  @TempDir Path dir;

  @BeforeAll
  static void startEtcd() throws IOException {
    etcd = EtcdCluster.start(etcdDir, 1);
    client = ClusterFixture.client(etcd.clientUrls());
  }

  @AfterAll
  static void stopEtcd() {
    if (client != null) {
      client.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void heldEscrowIsReturnedAndTheHeldAccountPaysTheLoweredCap() throws Exception {
    ManualClock clock = ManualClock.at("2026-11-22T12:00:00Z");
    String prefix = "/sluice/retree";
    BudgetTree tree = ClusterFixture.tree(1_000_000);
    EtcdKeys keys = new EtcdKeys(prefix);
    long day = new WindowCalendar(ClusterFixture.UTC).periodStart(Window.DAY, clock.millis());
    String tenantDay = keys.counter(NodeIds.tenant("z", "t"), Window.DAY, day);
    Ledger ledger = ClusterFixture.ledger(dir, clock);
    try (EtcdBudgetStore store =
            ClusterFixture.open(
                tree,
                ClusterFixture.options(etcd.clientUrls(), prefix, "gw-1", Duration.ofSeconds(2)),
                new ChunkPolicy(1_000, 100_000),
                clock,
                ledger);
        Escrow escrow = new Escrow(store, clock, 25, ClusterFixture.TTL)) {
      EscrowAccount a = escrow.account(ClusterFixture.tenantPath(tree));
      assertThat(a.refill(50_000).join().kind()).isEqualTo(Outcome.Kind.GRANTED);
      assertThat(a.tryCharge(30_000)).isEqualTo(EscrowAccount.CHARGED);
      assertThat(ClusterFixture.counter(client, tenantDay)).isGreaterThan(30_000);

      BudgetTree next = ClusterFixture.tree(40_000);
      store.retree(next);
      escrow.retree(next, Duration.ofSeconds(10));

      assertThat(ClusterFixture.counter(client, tenantDay)).isEqualTo(30_000);
      assertThat(store.tree()).isSameAs(next);
      assertThat(store.openSets()).isEmpty();
      assertThat(a.tryCharge(1)).isEqualTo(EscrowAccount.EXPIRED);
      assertThat(a.refill(10_000).join().kind()).isEqualTo(Outcome.Kind.GRANTED);
      assertThat(a.tryCharge(10_000)).isEqualTo(EscrowAccount.CHARGED);
      Outcome over = a.refill(1).join();
      assertThat(over.kind()).isEqualTo(Outcome.Kind.DENIED);
      assertThat(over.denial().cap()).isEqualTo(40_000);
      assertThat(ClusterFixture.counter(client, tenantDay)).isEqualTo(40_000);
    } finally {
      ledger.close();
    }
  }
}
