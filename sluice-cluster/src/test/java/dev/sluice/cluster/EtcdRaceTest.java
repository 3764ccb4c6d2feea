package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.budget.NodeIds;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.GrantRequest;
import dev.sluice.store.GrantResult;
import dev.sluice.store.Settlement;
import dev.sluice.time.Clock;
import dev.sluice.time.ManualClock;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import io.etcd.jetcd.Client;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Many stores racing for one small cap on one etcd member: never more than the cap. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EtcdRaceTest {

  @TempDir static Path etcdDir;
  static EtcdCluster etcd;
  static Client client;

  @BeforeAll
  static void startEtcd() throws Exception {
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

  private static final ChunkPolicy SMALL = new ChunkPolicy(100, 1_000);

  @Test
  void eightStoresNeverGrantMoreThanTheCap() throws Exception {
    long cap = 150_000;
    String prefix = "/sluice/race";
    BudgetTree tree = ClusterFixture.tree(cap);
    BudgetPath path = ClusterFixture.tenantPath(tree);
    ManualClock clock = ManualClock.at("2026-11-22T12:00:00Z");
    List<Clock> clocks = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      clocks.add(clock);
    }
    Race race = race(tree, prefix, clocks, path, 4);

    EtcdKeys keys = new EtcdKeys(prefix);
    long day = new WindowCalendar(ClusterFixture.UTC).periodStart(Window.DAY, clock.millis());
    long counted =
        ClusterFixture.counter(client, keys.counter(NodeIds.tenant("z", "t"), Window.DAY, day));
    assertThat(race.granted.get()).isLessThanOrEqualTo(cap);
    assertThat(counted).isEqualTo(race.granted.get());
    assertThat(ClusterFixture.counter(client, keys.counter("site", Window.LIFETIME, 0)))
        .isEqualTo(race.granted.get());
    assertThat(race.denied.get()).isPositive();
    // Denials came when less than the largest need remained.
    assertThat(cap - counted).isLessThan(1_000);
    // Contention alone never ends a grant Unavailable: losers back off and keep trying until the
    // operation timeout (5 s here; with the stopped test clock only the back-off delays count
    // toward it, so a slow etcd cannot make this flaky).
    assertThat(race.unavailable.get()).as("grants given up on contention").isZero();
  }

  @Test
  void clocksFiveSecondsApartNeverOvershoot() throws Exception {
    long cap = 60_000;
    String prefix = "/sluice/skew";
    BudgetTree tree = ClusterFixture.tree(cap);
    BudgetPath path = ClusterFixture.tenantPath(tree);
    Instant noon = Instant.parse("2026-11-22T12:00:00Z");
    List<Clock> clocks =
        List.of(
            new ManualClock(noon.plusSeconds(5)),
            new ManualClock(noon.minusSeconds(5)),
            new ManualClock(noon));
    Race race = race(tree, prefix, clocks, path, 3);
    long day = new WindowCalendar(ClusterFixture.UTC).periodStart(Window.DAY, noon.toEpochMilli());
    long counted =
        ClusterFixture.counter(
            client, new EtcdKeys(prefix).counter(NodeIds.tenant("z", "t"), Window.DAY, day));
    assertThat(race.granted.get()).isLessThanOrEqualTo(cap).isEqualTo(counted);
  }

  @Test
  void skewAcrossMidnightCannotPassALimitOfAPeriodBothAgreeOn() throws Exception {
    // One node already in the next day, one still in the old one: the day periods differ (each
    // node misjudges its own boundary), but the lifetime cap is shared and holds.
    long cap = 40_000;
    String prefix = "/sluice/midnight";
    BudgetTree tree =
        ClusterFixture.tree(
            List.of(new Limit(Window.DAY, 1_000_000), new Limit(Window.LIFETIME, cap)));
    BudgetPath path = ClusterFixture.tenantPath(tree);
    Instant midnight = Instant.parse("2026-11-23T00:00:00Z");
    List<Clock> clocks =
        List.of(
            new ManualClock(midnight.minusSeconds(3)), new ManualClock(midnight.plusSeconds(2)));
    Race race = race(tree, prefix, clocks, path, 3);
    long counted =
        ClusterFixture.counter(
            client, new EtcdKeys(prefix).counter(NodeIds.tenant("z", "t"), Window.LIFETIME, 0));
    assertThat(race.granted.get()).isLessThanOrEqualTo(cap).isEqualTo(counted);
  }

  @Test
  void grantsAndSettlementsInterleavedLeaveExactlyWhatWasSent() throws Exception {
    long cap = 40_000;
    String prefix = "/sluice/settle-race";
    BudgetTree tree = ClusterFixture.tree(cap);
    BudgetPath path = ClusterFixture.tenantPath(tree);
    ManualClock clock = ManualClock.at("2026-11-22T12:00:00Z");
    List<EtcdBudgetStore> stores = new ArrayList<>();
    AtomicLong sentTotal = new AtomicLong();
    AtomicLong grants = new AtomicLong();
    try {
      for (int i = 0; i < 4; i++) {
        EtcdStoreOptions o =
            ClusterFixture.options(etcd.clientUrls(), prefix, "gw-" + i, Duration.ofSeconds(5));
        stores.add(ClusterFixture.open(tree, o, SMALL, clock, null));
      }
      ExecutorService pool = Executors.newFixedThreadPool(12);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> fs = new ArrayList<>();
      for (EtcdBudgetStore s : stores) {
        for (int t = 0; t < 3; t++) {
          fs.add(
              pool.submit(
                  () -> {
                    go.await();
                    for (int n = 0; n < 40; n++) {
                      ThreadLocalRandom rnd = ThreadLocalRandom.current();
                      GrantResult r =
                          s.grant(new GrantRequest(path, 0, rnd.nextLong(1, 500), 0))
                              .get(30, TimeUnit.SECONDS);
                      if (r instanceof GrantResult.Granted g) {
                        grants.incrementAndGet();
                        long sent = rnd.nextLong(0, g.amount() + 1);
                        CompletableFuture<Void> settled =
                            s.settle(
                                new Settlement(
                                    path,
                                    g.setId(),
                                    g.setTime(),
                                    g.amount(),
                                    sent,
                                    g.amount() - sent,
                                    "idle"));
                        // A settlement that meets too many conflicts completes exceptionally
                        // and is retried in the background: it still lands (checked below).
                        settled.handle((v, e) -> null).get(30, TimeUnit.SECONDS);
                        sentTotal.addAndGet(sent);
                      }
                    }
                    return null;
                  }));
        }
      }
      go.countDown();
      for (Future<?> f : fs) {
        f.get(120, TimeUnit.SECONDS);
      }
      pool.shutdownNow();
      for (EtcdBudgetStore s : stores) {
        assertThat(
                EtcdCluster.poll(Duration.ofSeconds(20), () -> s.stats().pendingSettlements() == 0))
            .isTrue();
      }
    } finally {
      stores.forEach(EtcdBudgetStore::close);
    }
    EtcdKeys keys = new EtcdKeys(prefix);
    String tenant = NodeIds.tenant("z", "t");
    long day = new WindowCalendar(ClusterFixture.UTC).periodStart(Window.DAY, clock.millis());
    System.out.printf("%d grants settled, %d bytes sent%n", grants.get(), sentTotal.get());
    assertThat(grants.get()).isGreaterThan(50);
    assertThat(sentTotal.get()).isLessThanOrEqualTo(cap);
    assertThat(ClusterFixture.counter(client, keys.counter(tenant, Window.DAY, day)))
        .isEqualTo(sentTotal.get());
    assertThat(ClusterFixture.counter(client, keys.sent(tenant, Window.DAY, day)))
        .isEqualTo(sentTotal.get());
    assertThat(ClusterFixture.count(client, keys.sets())).isZero();
  }

  private static Race race(
      BudgetTree tree, String prefix, List<Clock> clocks, BudgetPath path, int threads)
      throws Exception {
    List<EtcdBudgetStore> stores = new ArrayList<>();
    try {
      for (int i = 0; i < clocks.size(); i++) {
        EtcdStoreOptions o =
            ClusterFixture.options(etcd.clientUrls(), prefix, "gw-" + i, Duration.ofSeconds(5));
        stores.add(ClusterFixture.open(tree, o, SMALL, clocks.get(i), null));
      }
      long started = Clock.system().nanos();
      Race race = Race.run(stores, threads, path, 1_000, 400);
      System.out.printf(
          "%s on %d stores x %d threads in %d ms, %d conflicts retried%n",
          race,
          stores.size(),
          threads,
          (Clock.system().nanos() - started) / 1_000_000,
          stores.stream().mapToLong(s -> s.stats().conflictsRetried()).sum());
      return race;
    } finally {
      for (EtcdBudgetStore s : stores) {
        s.close();
      }
    }
  }
}
