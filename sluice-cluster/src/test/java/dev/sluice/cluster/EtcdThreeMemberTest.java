package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.NodeIds;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.GrantRequest;
import dev.sluice.store.GrantResult;
import dev.sluice.time.Clock;
import dev.sluice.time.ManualClock;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import io.etcd.jetcd.Client;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A three-member etcd cluster: races, one member down, two down, both back. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EtcdThreeMemberTest {

  private static final Duration OP_TIMEOUT = Duration.ofSeconds(1);

  @TempDir Path dir;
  EtcdCluster etcd;
  Client client;

  private final ManualClock clock = ManualClock.at("2026-11-22T12:00:00Z");

  @BeforeEach
  void start() throws Exception {
    etcd = EtcdCluster.start(dir, 3);
    client = ClusterFixture.client(etcd.clientUrls());
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void storesRacingOnThreeMembersNeverGrantMoreThanTheCap() throws Exception {
    long cap = 60_000;
    BudgetTree tree = ClusterFixture.tree(cap);
    BudgetPath path = ClusterFixture.tenantPath(tree);
    List<EtcdBudgetStore> stores = new ArrayList<>();
    Race race;
    try {
      for (int i = 0; i < 8; i++) {
        EtcdStoreOptions o =
            ClusterFixture.options(
                etcd.clientUrls(), "/sluice/race3", "gw-" + i, Duration.ofSeconds(5));
        stores.add(ClusterFixture.open(tree, o, new ChunkPolicy(100, 1_000), clock, null));
      }
      race = Race.run(stores, 2, path, 1_000, 200);
      System.out.println(race + " on three members");
    } finally {
      stores.forEach(EtcdBudgetStore::close);
    }
    long day = new WindowCalendar(ClusterFixture.UTC).periodStart(Window.DAY, clock.millis());
    long counted =
        ClusterFixture.counter(
            client,
            new EtcdKeys("/sluice/race3").counter(NodeIds.tenant("z", "t"), Window.DAY, day));
    assertThat(race.granted.get()).isLessThanOrEqualTo(cap).isEqualTo(counted);
  }

  @Test
  void oneMemberDownIsFineTwoDownFailsClosedAndBothBackRecovers() throws Exception {
    BudgetTree tree = ClusterFixture.tree(1_000_000_000);
    BudgetPath path = ClusterFixture.tenantPath(tree);
    EtcdStoreOptions o =
        ClusterFixture.options(etcd.clientUrls(), "/sluice/ha", "gw-1", OP_TIMEOUT);
    try (EtcdBudgetStore s =
        ClusterFixture.open(tree, o, new ChunkPolicy(1_000, 100_000), clock, null)) {
      assertThat(grant(s)).isInstanceOf(GrantResult.Granted.class);

      etcd.stop(0);
      assertThat(
              EtcdCluster.poll(
                  Duration.ofSeconds(15), () -> grant(s) instanceof GrantResult.Granted))
          .as("grants with one of three members down")
          .isTrue();

      etcd.stop(1);
      Clock wall = Clock.system();
      for (int i = 0; i < 2; i++) {
        long t0 = wall.nanos();
        GrantResult r = grant(s);
        long ms = (wall.nanos() - t0) / 1_000_000;
        assertThat(r).isInstanceOf(GrantResult.Unavailable.class);
        assertThat(ms)
            .as("answered within about the operation timeout")
            .isLessThan(3 * OP_TIMEOUT.toMillis());
      }

      etcd.restart(0);
      etcd.restart(1);
      etcd.awaitHealthy(Duration.ofSeconds(30));
      assertThat(
              EtcdCluster.poll(
                  Duration.ofSeconds(20), () -> grant(s) instanceof GrantResult.Granted))
          .as("grants again without a store restart")
          .isTrue();
      assertThat(
              EtcdCluster.poll(
                  Duration.ofSeconds(20),
                  () -> s.stats().uncertainGrants() == 0 && s.stats().pendingSettlements() == 0))
          .isTrue();
      assertThat(EtcdCluster.poll(Duration.ofSeconds(20), () -> s.nodes().get(0).live()))
          .as("liveness key present")
          .isTrue();
    }
  }

  private static GrantResult grant(EtcdBudgetStore s) {
    try {
      return s.grant(new GrantRequest(ClusterFixture.tenantPath(s.tree()), 0, 1, 0))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
