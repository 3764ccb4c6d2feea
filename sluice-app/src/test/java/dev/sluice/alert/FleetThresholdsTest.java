package dev.sluice.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetTree;
import dev.sluice.cluster.ClusterFixture;
import dev.sluice.cluster.EtcdBudgetStore;
import dev.sluice.cluster.EtcdCluster;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.time.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Threshold alerts once for the fleet: two gateway nodes' stores on one prefix of a real etcd. The
 * node that claims a threshold first raises it, the other does not; conditions that are not
 * thresholds are raised by every node; with etcd stopped an undecided claim raises the threshold
 * anyway (a duplicate rather than a missing alert).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FleetThresholdsTest {

  private static final String PREFIX = "/sluice/fleet-thresholds-test";
  private final ManualClock clock = ManualClock.at("2026-12-06T10:00:00Z");
  private final long periodEnd = clock.millis() + 3_600_000;

  @TempDir Path dir;
  private EtcdCluster etcd;
  private EtcdBudgetStore a;
  private EtcdBudgetStore b;

  @BeforeEach
  void start() throws Exception {
    etcd = EtcdCluster.start(dir.resolve("etcd"), 1);
    a = open("a");
    b = open("b");
  }

  @AfterEach
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {a, b}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // closing is best effort here; etcd goes next
      }
    }
    etcd.close();
  }

  private EtcdBudgetStore open(String node) throws Exception {
    BudgetTree tree = ClusterFixture.tree(1_000_000);
    return ClusterFixture.open(
        tree,
        ClusterFixture.options(etcd.clientUrls(), PREFIX, node, Duration.ofMillis(500)),
        new ChunkPolicy(1_000, 10_000),
        clock,
        null);
  }

  private Condition threshold(int pct) {
    return new Condition(
        "threshold|tenant:z/t|day|2026-12-06T11:00:00Z|" + pct,
        Map.of("alertname", BudgetConditions.NAME),
        "s",
        "d",
        periodEnd);
  }

  private static Condition halted() {
    return new Condition("halt|site|1", Map.of("alertname", "SluiceHalted"), "s", "d", -1);
  }

  private static List<String> keys(List<Condition> cs) {
    return cs.stream().map(Condition::key).toList();
  }

  @Test
  void theFirstNodeToClaimRaisesAThresholdAndEveryNodeRaisesTheRest() {
    FleetThresholds onA = new FleetThresholds(a.alertClaims());
    FleetThresholds onB = new FleetThresholds(b.alertClaims());
    List<Condition> holding = List.of(threshold(50), halted());

    assertThat(keys(onA.raisedHere(holding, k -> true, clock.millis())))
        .containsExactly(threshold(50).key(), halted().key());
    assertThat(keys(onB.raisedHere(holding, k -> true, clock.millis())))
        .containsExactly(halted().key());
    // b asks again at its next evaluation: still a's.
    assertThat(keys(onB.raisedHere(holding, k -> true, clock.millis())))
        .containsExactly(halted().key());
    // A threshold a does not fire again (already firing) is passed through for its resolution.
    Set<String> firingOnA = Set.of(threshold(50).key());
    assertThat(keys(onA.raisedHere(holding, k -> !firingOnA.contains(k), clock.millis())))
        .containsExactly(threshold(50).key(), halted().key());
    // 80% crossed later: b claims it first this time.
    List<Condition> more = List.of(threshold(50), threshold(80));
    assertThat(keys(onB.raisedHere(more, k -> true, clock.millis())))
        .containsExactly(threshold(80).key());
    assertThat(keys(onA.raisedHere(more, k -> true, clock.millis())))
        .containsExactly(threshold(50).key());
  }

  @Test
  void anUndecidedClaimRaisesTheThresholdOnThisNode() {
    FleetThresholds onA = new FleetThresholds(a.alertClaims());
    etcd.stop(0);
    assertThat(keys(onA.raisedHere(List.of(threshold(50)), k -> true, clock.millis())))
        .containsExactly(threshold(50).key());
  }

  @Test
  void withTheLocalStoreEveryThresholdIsThisNodes() {
    List<Condition> holding = List.of(threshold(50), halted());
    assertThat(new FleetThresholds(null).raisedHere(holding, k -> true, clock.millis()))
        .isEqualTo(holding);
  }
}
