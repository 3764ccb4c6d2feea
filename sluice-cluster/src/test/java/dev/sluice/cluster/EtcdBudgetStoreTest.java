package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.NodeIds;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.store.BudgetStore;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.GrantObserver;
import dev.sluice.store.GrantRequest;
import dev.sluice.store.GrantResult;
import dev.sluice.store.Settlement;
import dev.sluice.time.Clock;
import dev.sluice.time.ManualClock;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The etcd store against one real etcd member: grants, denials, settlements, restarts. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EtcdBudgetStoreTest {

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

  private static final AtomicInteger SITES = new AtomicInteger();

  private final ManualClock clock = ManualClock.at("2026-11-22T12:00:00Z");
  private final ChunkPolicy policy = new ChunkPolicy(1_000, 100_000);

  private static String prefix(TestInfo t) {
    return "/sluice/" + t.getTestMethod().orElseThrow().getName() + SITES.incrementAndGet();
  }

  private EtcdStoreOptions options(String prefix, String node) {
    return ClusterFixture.options(etcd.clientUrls(), prefix, node, Duration.ofSeconds(2));
  }

  private static GrantResult grant(BudgetStore s, BudgetPath p, long setId, long need, long sent)
      throws Exception {
    return s.grant(new GrantRequest(p, setId, need, sent)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void grantSettleAndUsageRoundTrip(TestInfo t) throws Exception {
    String prefix = prefix(t);
    BudgetTree tree = ClusterFixture.tree(1_000_000);
    BudgetPath path = ClusterFixture.tenantPath(tree);
    EtcdKeys keys = new EtcdKeys(prefix);
    long day = new WindowCalendar(ClusterFixture.UTC).periodStart(Window.DAY, clock.millis());
    String tenant = NodeIds.tenant("z", "t");
    Ledger ledger = ClusterFixture.ledger(dir, clock);
    long setId;
    try (EtcdBudgetStore s =
        ClusterFixture.open(tree, options(prefix, "gw-1"), policy, clock, ledger)) {
      assertThat(s.name()).isEqualTo("etcd:" + etcd.clientUrls().get(0) + prefix);

      GrantResult.Granted g = (GrantResult.Granted) grant(s, path, 0, 500, 0);
      assertThat(g.amount()).isEqualTo(100_000); // an eighth of a 1 MB day cap, clamped
      assertThat(g.setId()).isEqualTo(g.grantId());
      assertThat(g.setTime()).isEqualTo(clock.millis());
      assertThat(g.expiresAt()).isEqualTo(clock.millis() + 30_000);
      setId = g.setId();

      GrantResult.Granted g2 = (GrantResult.Granted) grant(s, path, setId, 0, 40_000);
      assertThat(g2.setId()).isEqualTo(setId);
      assertThat(g2.grantId()).isEqualTo(g.grantId() + 1);
      long granted = g.amount() + g2.amount();

      assertThat(ClusterFixture.counter(client, keys.counter(tenant, Window.DAY, day)))
          .isEqualTo(granted);
      assertThat(ClusterFixture.counter(client, keys.counter("site", Window.LIFETIME, 0)))
          .isEqualTo(granted);
      assertThat(ClusterFixture.counter(client, keys.seq("gw-1"))).isEqualTo(g2.grantId());
      assertThat(s.usage(tree.node(tenant), Window.DAY).spent()).isEqualTo(granted);
      assertThat(s.usage(tree.node(tenant), Window.MONTH).spent()).isEqualTo(granted);
      assertThat(s.openSets()).hasSize(1);
      assertThat(s.nodes())
          .singleElement()
          .satisfies(
              n -> {
                assertThat(n.nodeId()).isEqualTo("gw-1");
                assertThat(n.live()).isTrue();
                assertThat(n.openSets()).isEqualTo(1);
                assertThat(n.heldBytes()).isEqualTo(granted - 40_000);
              });

      s.settle(new Settlement(path, setId, g.setTime(), granted, 60_000, granted - 60_000, "idle"))
          .get(10, TimeUnit.SECONDS);
      assertThat(ClusterFixture.counter(client, keys.counter(tenant, Window.DAY, day)))
          .isEqualTo(60_000);
      assertThat(ClusterFixture.counter(client, keys.sent(tenant, Window.DAY, day)))
          .isEqualTo(60_000);
      assertThat(ClusterFixture.count(client, keys.sets())).isZero();
      BudgetStore.Usage u = s.usage(tree.node(tenant), Window.DAY);
      assertThat(u.spent()).isEqualTo(60_000);
      assertThat(u.sent()).isEqualTo(60_000);
      assertThat(u.periodStart()).isEqualTo(day);
      assertThat(u.periodEnd()).isEqualTo(day + 86_400_000);
      assertThat(s.openSets()).isEmpty();
      assertThat(s.stats().grantsIssued()).isEqualTo(2);

      // Settling twice credits once.
      s.settle(new Settlement(path, setId, g.setTime(), granted, 0, granted, "idle"))
          .get(10, TimeUnit.SECONDS);
      assertThat(ClusterFixture.counter(client, keys.counter(tenant, Window.DAY, day)))
          .isEqualTo(60_000);
    }
    ledger.close();
    List<LedgerEntry> budget =
        ClusterFixture.entries(dir).stream()
            .filter(e -> e.type() == EntryType.GRANT || e.type() == EntryType.SETTLE)
            .toList();
    assertThat(budget)
        .extracting(LedgerEntry::type)
        .containsExactly(EntryType.GRANT, EntryType.GRANT, EntryType.SETTLE);
    assertThat(budget.get(0).getString("node")).isEqualTo("gw-1");
    assertThat(budget.get(0).getLong("set")).isEqualTo(setId);
    assertThat(budget.get(0).getStrings("nodes")).containsExactly("site", "zone:z", "tenant:z/t");
    assertThat(budget.get(2).getLong("returned")).isEqualTo(140_000);
    assertThat(budget.get(2).getLong("sent")).isEqualTo(60_000);
    assertThat(budget.get(2).getString("reason")).isEqualTo("idle");
  }

  @Test
  void denialNamesTheBindingCap(TestInfo t) throws Exception {
    String prefix = prefix(t);
    BudgetTree tree = ClusterFixture.tree(10_000);
    BudgetPath path = ClusterFixture.tenantPath(tree);
    try (EtcdBudgetStore s =
        ClusterFixture.open(tree, options(prefix, "gw-1"), policy, clock, null)) {
      GrantResult r = grant(s, path, 0, 10_001, 0);
      assertThat(r).isInstanceOf(GrantResult.Denied.class);
      var d = ((GrantResult.Denied) r).denial();
      assertThat(d.nodeId()).isEqualTo("tenant:z/t");
      assertThat(d.window()).isEqualTo(Window.DAY);
      assertThat(d.cap()).isEqualTo(10_000);
      assertThat(d.resetsAtMillis())
          .isEqualTo(new WindowCalendar(ClusterFixture.UTC).periodEnd(Window.DAY, clock.millis()));

      // Exactly the cap is fine; then nothing more.
      long total = 0;
      while (true) {
        GrantResult g = grant(s, path, 0, 1, 0);
        if (g instanceof GrantResult.Granted ok) {
          total += ok.amount();
        } else {
          assertThat(g).isInstanceOf(GrantResult.Denied.class);
          break;
        }
      }
      assertThat(total).isEqualTo(10_000);
    }
  }

  @Test
  void unknownSetsEndedDaysAndAClosedStoreAreRefused(TestInfo t) throws Exception {
    String prefix = prefix(t);
    BudgetTree tree = ClusterFixture.tree(1_000_000);
    BudgetPath path = ClusterFixture.tenantPath(tree);
    EtcdBudgetStore s = ClusterFixture.open(tree, options(prefix, "gw-1"), policy, clock, null);
    GrantResult.Granted g;
    try {
      assertThat(grant(s, path, 999, 1, 0)).isInstanceOf(GrantResult.Unavailable.class);
      g = (GrantResult.Granted) grant(s, path, 0, 1, 0);
      clock.advance(Duration.ofHours(13)); // past midnight UTC
      GrantResult r = grant(s, path, g.setId(), 1, 0);
      assertThat(r).isInstanceOf(GrantResult.Unavailable.class);
      assertThat(((GrantResult.Unavailable) r).reason()).contains("settle it first");
      assertThat(((GrantResult.Unavailable) r).store()).isEqualTo(s.name());
    } finally {
      s.close();
    }
    GrantResult closed = grant(s, path, 0, 1, 0);
    assertThat(closed).isInstanceOf(GrantResult.Unavailable.class);
    assertThat(((GrantResult.Unavailable) closed).reason()).isEqualTo("store is closed");
    assertThat(s.settle(new Settlement(path, g.setId(), g.setTime(), 1, 0, 1, "shutdown")))
        .isCompletedExceptionally();
  }

  @Test
  void restartFindsUnsettledSetsStranded(TestInfo t) throws Exception {
    String prefix = prefix(t);
    BudgetTree tree = ClusterFixture.tree(1_000_000);
    BudgetPath path = ClusterFixture.tenantPath(tree);
    EtcdKeys keys = new EtcdKeys(prefix);
    long day = new WindowCalendar(ClusterFixture.UTC).periodStart(Window.DAY, clock.millis());
    String tenant = NodeIds.tenant("z", "t");
    Ledger ledger = ClusterFixture.ledger(dir, clock);
    long granted;
    try (EtcdBudgetStore s =
        ClusterFixture.open(tree, options(prefix, "gw-1"), policy, clock, ledger)) {
      GrantResult.Granted a = (GrantResult.Granted) grant(s, path, 0, 1, 0);
      GrantResult.Granted b = (GrantResult.Granted) grant(s, path, a.setId(), 0, 30_000);
      GrantResult.Granted c = (GrantResult.Granted) grant(s, path, 0, 1, 0);
      granted = a.amount() + b.amount() + c.amount();
      // closed without settling: as if the process died
    }
    try (EtcdBudgetStore s =
        ClusterFixture.open(tree, options(prefix, "gw-1"), policy, clock, ledger)) {
      assertThat(s.stranded().sets()).isEqualTo(2);
      assertThat(s.stranded().bytes()).isEqualTo(granted - 30_000);
      assertThat(s.stats().strandedSets()).isEqualTo(2);
      assertThat(ClusterFixture.count(client, keys.setsOf("gw-1"))).isZero();
      assertThat(ClusterFixture.counter(client, keys.counter(tenant, Window.DAY, day)))
          .isEqualTo(granted);
      assertThat(ClusterFixture.counter(client, keys.sent(tenant, Window.DAY, day)))
          .isEqualTo(30_000);
      assertThat(s.usage(tree.node(tenant), Window.DAY).spent()).isEqualTo(granted);
      // New grant ids continue after the old ones.
      GrantResult.Granted d = (GrantResult.Granted) grant(s, path, 0, 1, 0);
      assertThat(d.grantId()).isEqualTo(4);
    }
    ledger.close();
    List<LedgerEntry> stranded =
        ClusterFixture.entries(dir).stream().filter(e -> e.type() == EntryType.STRANDED).toList();
    assertThat(stranded).hasSize(2);
    assertThat(stranded.get(0).getLong("set")).isEqualTo(1);
    assertThat(stranded.get(0).getLong("sent")).isEqualTo(30_000);
    assertThat(stranded.get(0).getString("node")).isEqualTo("gw-1");
    assertThat(stranded)
        .allSatisfy(
            e ->
                assertThat(e.getLong("stranded"))
                    .isEqualTo(e.getLong("granted") - e.getLong("sent")));
  }

  @Test
  void otherNodesGrantsShowInUsageAndTheClusterView(TestInfo t) throws Exception {
    String prefix = prefix(t);
    BudgetTree tree = ClusterFixture.tree(1_000_000);
    BudgetPath path = ClusterFixture.tenantPath(tree);
    String tenant = NodeIds.tenant("z", "t");
    List<String> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
    GrantObserver observer = (nanos, outcome, amount) -> outcomes.add(outcome + ":" + amount);
    try (EtcdBudgetStore a =
            EtcdBudgetStore.open(
                tree, ClusterFixture.UTC, options(prefix, "gw-a"), policy, clock, null, observer);
        EtcdBudgetStore b =
            ClusterFixture.open(tree, options(prefix, "gw-b"), policy, clock, null)) {
      GrantResult.Granted g = (GrantResult.Granted) grant(a, path, 0, 1, 0);
      assertThat(grant(a, path, 0, 2_000_000, 0)).isInstanceOf(GrantResult.Denied.class);
      assertThat(outcomes).containsExactly("granted:" + g.amount(), "denied:0");

      assertThat(
              EtcdCluster.poll(
                  Duration.ofSeconds(10),
                  () -> b.usage(tree.node(tenant), Window.DAY).spent() == g.amount()))
          .as("b sees a's grant through its watch")
          .isTrue();
      assertThat(
              EtcdCluster.poll(
                  Duration.ofSeconds(10),
                  () ->
                      b.nodes()
                          .equals(
                              List.of(
                                  new NodeEscrow("gw-a", true, 1, g.amount(), 0, 0),
                                  new NodeEscrow("gw-b", true, 0, 0, 0, 0)))))
          .as("b's cluster view: " + b.nodes())
          .isTrue();
      // Once a's set has expired (by b's clock), b reports its bytes as expired escrow.
      clock.advance(Duration.ofSeconds(31));
      assertThat(b.nodes().get(0).expiredSets()).isEqualTo(1);
      assertThat(b.nodes().get(0).expiredBytes()).isEqualTo(g.amount());
    }
  }

  @Test
  void aSecondRunningStoreWithTheSameNodeIdIsRefusedAndOpensOnceTheFirstHasClosed(TestInfo t)
      throws Exception {
    String prefix = prefix(t);
    BudgetTree tree = ClusterFixture.tree(1_000_000);
    BudgetPath path = ClusterFixture.tenantPath(tree);
    EtcdKeys keys = new EtcdKeys(prefix);
    Duration ttl = Duration.ofSeconds(2);
    EtcdStoreOptions o =
        new EtcdStoreOptions(etcd.clientUrls(), prefix, "gw-1", ttl, Duration.ofMillis(500));
    Clock wall = Clock.system();
    EtcdBudgetStore first = ClusterFixture.open(tree, o, policy, clock, null);
    GrantResult.Granted g;
    try {
      g = (GrantResult.Granted) grant(first, path, 0, 1, 0);
      long t0 = wall.nanos();
      Throwable refused = catchThrowable(() -> ClusterFixture.open(tree, o, policy, clock, null));
      System.out.println(refused);
      assertThat(refused)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("node id gw-1 is in use by a live node")
          .hasMessageContaining(keys.liveness("gw-1"))
          .hasMessageContaining("started_at 2026-11-22T12:00:00Z")
          .hasMessageContaining("needs its own node_id");
      long refusedAfter = (wall.nanos() - t0) / 1_000_000;
      System.out.println("second store with node id gw-1 refused after " + refusedAfter + " ms");
      // It waited at most grant_ttl + the margin (and the calls around it), never longer.
      assertThat(refusedAfter)
          .isLessThan(ttl.plus(NodeClaim.CLAIM_MARGIN).plusSeconds(3).toMillis());
      // The refused store touched nothing: the first one's set is still open and it still grants.
      assertThat(ClusterFixture.count(client, keys.set("gw-1", g.setId()))).isEqualTo(1);
      assertThat(grant(first, path, g.setId(), 1, 0)).isInstanceOf(GrantResult.Granted.class);
      assertThat(first.nodes().get(0).live()).isTrue();
    } finally {
      first.close(); // revokes the lease: the key goes at once
    }
    long t1 = wall.nanos();
    try (EtcdBudgetStore second = ClusterFixture.open(tree, o, policy, clock, null)) {
      long openedAfter = (wall.nanos() - t1) / 1_000_000;
      assertThat(openedAfter).as("opened at once, without waiting for a lease").isLessThan(1_500);
      assertThat(second.stranded().sets()).isEqualTo(1); // the first closed without settling
      assertThat(grant(second, path, 0, 1, 0)).isInstanceOf(GrantResult.Granted.class);
    }
  }

  @Test
  void aRestartWaitsForTheLeaseOfAKilledRunToExpire(TestInfo t) throws Exception {
    String prefix = prefix(t);
    EtcdKeys keys = new EtcdKeys(prefix);
    // What a run killed with -9 leaves: its liveness key under a lease nobody renews any more.
    long lease = client.getLeaseClient().grant(2).get(10, TimeUnit.SECONDS).getID();
    client
        .getKVClient()
        .put(
            io.etcd.jetcd.ByteSequence.from(keys.liveness("gw-1"), StandardCharsets.UTF_8),
            io.etcd.jetcd.ByteSequence.from(
                "{\"node_id\":\"gw-1\",\"started_at\":1}", StandardCharsets.UTF_8),
            io.etcd.jetcd.options.PutOption.builder().withLeaseId(lease).build())
        .get(10, TimeUnit.SECONDS);
    EtcdStoreOptions o =
        new EtcdStoreOptions(
            etcd.clientUrls(), prefix, "gw-1", Duration.ofSeconds(2), Duration.ofMillis(500));
    Clock wall = Clock.system();
    long t0 = wall.nanos();
    try (EtcdBudgetStore s =
        ClusterFixture.open(ClusterFixture.tree(1_000), o, policy, clock, null)) {
      long ms = (wall.nanos() - t0) / 1_000_000;
      System.out.println("opened after the killed run's lease expired: " + ms + " ms");
      assertThat(ms).as("waited for the old lease").isGreaterThan(300);
      assertThat(ms).isLessThan(2_000 + NodeClaim.CLAIM_MARGIN.toMillis() + 3_000);
      assertThat(s.nodes().get(0).live()).isTrue();
    }
  }

  @Test
  void openFailsLoudlyWhenEtcdIsUnreachable(TestInfo t) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI nobody = URI.create("http://127.0.0.1:" + port);
    EtcdStoreOptions o =
        ClusterFixture.options(List.of(nobody), prefix(t), "gw-1", Duration.ofMillis(300));
    Clock system = Clock.system();
    assertThatThrownBy(() -> ClusterFixture.open(ClusterFixture.tree(1), o, policy, system, null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(nobody.toString())
        .hasMessageContaining("cannot list");
  }
}
