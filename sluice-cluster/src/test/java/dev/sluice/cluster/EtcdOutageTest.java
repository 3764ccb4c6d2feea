package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.budget.NodeIds;
import dev.sluice.escrow.Escrow;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.escrow.EscrowAccount.Outcome.Kind;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One etcd member that goes away and comes back while a store runs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EtcdOutageTest {

  private static final Duration OP_TIMEOUT = Duration.ofMillis(500);

  @TempDir Path dir;
  EtcdCluster etcd;
  Client client;

  private final ManualClock clock = ManualClock.at("2026-11-22T12:00:00Z");
  private final BudgetTree tree = ClusterFixture.tree(1_000_000);
  private final BudgetPath path = ClusterFixture.tenantPath(tree);
  private final EtcdKeys keys = new EtcdKeys("/sluice/outage");
  private final String dayKey =
      keys.counter(
          NodeIds.tenant("z", "t"),
          Window.DAY,
          new WindowCalendar(ClusterFixture.UTC).periodStart(Window.DAY, clock.millis()));

  @BeforeEach
  void start() throws Exception {
    etcd = EtcdCluster.start(dir.resolve("etcd"), 1);
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

  private EtcdBudgetStore open(Ledger ledger) throws Exception {
    return open(tree, OP_TIMEOUT, ledger, GrantObserver.NONE);
  }

  private EtcdBudgetStore open(
      BudgetTree t, Duration opTimeout, Ledger ledger, GrantObserver observer) throws Exception {
    EtcdStoreOptions o =
        ClusterFixture.options(etcd.clientUrls(), "/sluice/outage", "gw-1", opTimeout);
    return EtcdBudgetStore.open(
        t, ClusterFixture.UTC, o, new ChunkPolicy(1_000, 100_000), clock, ledger, observer);
  }

  @Test
  void onceEtcdIsKnownUnreachableGrantsFailFastAndResumeWithoutReopening() throws Exception {
    Duration timeout = Duration.ofSeconds(2);
    List<String> outcomes = new CopyOnWriteArrayList<>();
    GrantObserver observer = (nanos, outcome, amount) -> outcomes.add(outcome);
    try (EtcdBudgetStore s = open(tree, timeout, null, observer)) {
      GrantResult.Granted g =
          (GrantResult.Granted) s.grant(new GrantRequest(path, 0, 1, 0)).get(10, TimeUnit.SECONDS);

      etcd.stop(0);
      Clock wall = Clock.system();
      // The first operation finds out: it waits for its timeout (or a refused connection).
      long t0 = wall.nanos();
      GrantResult first = s.grant(new GrantRequest(path, 0, 1, 0)).get(10, TimeUnit.SECONDS);
      long firstMs = (wall.nanos() - t0) / 1_000_000;
      assertThat(first).isInstanceOf(GrantResult.Unavailable.class);

      // From then on every grant is refused at once, naming the store and the outage.
      long slowest = 0;
      for (int i = 0; i < 20; i++) {
        long t = wall.nanos();
        GrantResult r = s.grant(new GrantRequest(path, 0, 1, 0)).get(10, TimeUnit.SECONDS);
        slowest = Math.max(slowest, wall.nanos() - t);
        assertThat(r).isInstanceOf(GrantResult.Unavailable.class);
        GrantResult.Unavailable u = (GrantResult.Unavailable) r;
        assertThat(u.store()).isEqualTo(s.name());
        assertThat(u.reason()).startsWith("etcd unreachable since 2026-11-22T12:00:00Z");
      }
      // A settlement too: kept for the background, its caller told at once.
      long t1 = wall.nanos();
      CompletableFuture<Void> settled =
          s.settle(
              new Settlement(
                  path, g.setId(), g.setTime(), g.amount(), 10, g.amount() - 10, "idle"));
      assertThat(catchFailure(settled)).contains("not durable yet").contains("etcd unreachable");
      slowest = Math.max(slowest, wall.nanos() - t1);
      System.out.printf(
          "etcd stopped: first refusal %d ms, then at most %d ms each (timeout %d ms)%n",
          firstMs, slowest / 1_000_000, timeout.toMillis());
      assertThat(slowest).isLessThan(timeout.toNanos() / 2);
      assertThat(s.stats().pendingSettlements()).isEqualTo(1);
      assertThat(outcomes).hasSize(22).startsWith(GrantObserver.GRANTED);
      assertThat(outcomes.subList(1, 22)).containsOnly(GrantObserver.UNAVAILABLE);

      etcd.restart(0);
      etcd.awaitHealthy(Duration.ofSeconds(20));
      // The probe finds etcd back: same store, no reopening.
      assertThat(EtcdCluster.poll(Duration.ofSeconds(20), () -> grantsAgain(s)))
          .as("grants succeed again with the same store")
          .isTrue();
      assertThat(
              EtcdCluster.poll(
                  Duration.ofSeconds(20),
                  () -> s.stats().pendingSettlements() == 0 && s.stats().uncertainGrants() == 0))
          .as("the settlement landed and the uncertain grant was resolved")
          .isTrue();
    }
  }

  @Test
  void aRefusalDuringAnOutageWaitsForOneTimeoutAtMostOnce() throws Exception {
    // As the gateway does it: the tenant's account refills (settling its expired set first), is
    // refused, and the denial response is paid from the control account (the same again).
    Duration timeout = Duration.ofSeconds(2);
    BudgetTree.Builder b = BudgetTree.builder(List.of(new Limit(Window.LIFETIME, 1L << 40)));
    b.zone("z", List.of());
    for (int i = 0; i < 4; i++) {
      b.tenant("z", "t" + i, List.of(new Limit(Window.DAY, 1L << 30)));
    }
    BudgetTree t = b.control(List.of(new Limit(Window.DAY, 1L << 30))).build();
    try (EtcdBudgetStore s = open(t, timeout, null, GrantObserver.NONE)) {
      Escrow escrow = new Escrow(s, clock, 25, ClusterFixture.TTL);
      List<EscrowAccount> tenants = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        EscrowAccount a = escrow.account(t.path("z", "t" + i, null));
        assertThat(a.refill(1).get(10, TimeUnit.SECONDS).kind()).isEqualTo(Kind.GRANTED);
        tenants.add(a);
      }
      EscrowAccount control = escrow.account(t.controlPath());
      assertThat(control.refill(1).get(10, TimeUnit.SECONDS).kind()).isEqualTo(Kind.GRANTED);
      clock.advance(ClusterFixture.TTL.plusSeconds(1)); // every set has expired

      etcd.stop(0);
      Clock wall = Clock.system();
      List<Long> millis = new ArrayList<>();
      for (EscrowAccount tenant : tenants) {
        long t0 = wall.nanos();
        EscrowAccount.Outcome o = tenant.refill(500).get(30, TimeUnit.SECONDS);
        EscrowAccount.Outcome c = control.refill(300).get(30, TimeUnit.SECONDS);
        millis.add((wall.nanos() - t0) / 1_000_000);
        assertThat(o.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(o.store()).isEqualTo(s.name());
        assertThat(c.kind()).isEqualTo(Kind.UNAVAILABLE);
      }
      System.out.println("refusals during the outage took " + millis + " ms");
      assertThat(millis.get(0)).isLessThan(2 * timeout.toMillis());
      assertThat(millis.subList(1, millis.size())).allMatch(ms -> ms < timeout.toMillis() / 2);
    }
  }

  @Test
  void failsClosedWhileEtcdIsDownAndRecoversWithoutARestart() throws Exception {
    Ledger ledger = ClusterFixture.ledger(dir, clock);
    try (EtcdBudgetStore s = open(ledger)) {
      GrantResult.Granted g =
          (GrantResult.Granted) s.grant(new GrantRequest(path, 0, 1, 0)).get(10, TimeUnit.SECONDS);
      long granted = g.amount();

      etcd.stop(0);
      Clock wall = Clock.system();
      long t0 = wall.nanos();
      GrantResult r = s.grant(new GrantRequest(path, 0, 1, 0)).get(10, TimeUnit.SECONDS);
      long waited = (wall.nanos() - t0) / 1_000_000;
      assertThat(r).isInstanceOf(GrantResult.Unavailable.class);
      assertThat(((GrantResult.Unavailable) r).store()).isEqualTo(s.name());
      assertThat(waited).isLessThan(3 * OP_TIMEOUT.toMillis());

      // A settlement while etcd is down: not durable at first, kept and retried.
      CompletableFuture<Void> first =
          s.settle(
              new Settlement(
                  path, g.setId(), g.setTime(), granted, 1_000, granted - 1_000, "idle"));
      assertThat(catchFailure(first)).contains("not durable yet");
      assertThat(s.stats().pendingSettlements()).isEqualTo(1);

      etcd.restart(0);
      etcd.awaitHealthy(Duration.ofSeconds(20));
      assertThat(
              EtcdCluster.poll(Duration.ofSeconds(20), () -> s.stats().pendingSettlements() == 0))
          .as("the settlement landed after etcd came back")
          .isTrue();
      assertThat(EtcdCluster.poll(Duration.ofSeconds(20), () -> grantsAgain(s)))
          .as("grants succeed again with the same store")
          .isTrue();
    }
    ledger.close();
    List<LedgerEntry> entries = ClusterFixture.entries(dir);
    // (The grant refused while etcd was down may have been retried by the client and committed
    // once etcd was back: it is then resolved, ledgered late and settled back as "uncertain".)
    assertThat(
            entries.stream()
                .filter(e -> e.type() == EntryType.SETTLE && e.getString("reason").equals("idle")))
        .singleElement()
        .satisfies(e -> assertThat(e.getLong("sent")).isEqualTo(1_000));
    assertLedgerMatchesEtcd(entries);
  }

  @Test
  void aGrantWhoseAnswerIsLostIsResolvedAndNeverForgotten() throws Exception {
    Ledger ledger = ClusterFixture.ledger(dir, clock);
    try (EtcdBudgetStore s = open(ledger)) {
      // etcd receives the transaction but answers only after the store gave up on it.
      etcd.member(0).pause();
      GrantResult r;
      try {
        r = s.grant(new GrantRequest(path, 0, 1, 0)).get(10, TimeUnit.SECONDS);
        assertThat(s.stats().uncertainGrants()).isEqualTo(1);
      } finally {
        etcd.member(0).resume();
      }
      assertThat(r).isInstanceOf(GrantResult.Unavailable.class);
      assertThat(((GrantResult.Unavailable) r).reason()).contains("did not confirm grant 1");

      // The background tick resolves it; a committed new set nobody holds is settled back.
      assertThat(
              EtcdCluster.poll(
                  Duration.ofSeconds(20),
                  () -> s.stats().uncertainGrants() == 0 && s.stats().pendingSettlements() == 0))
          .isTrue();
      assertThat(ClusterFixture.counter(client, dayKey)).isZero();
      assertThat(ClusterFixture.count(client, keys.sets())).isZero();
      GrantResult.Granted next =
          (GrantResult.Granted) s.grant(new GrantRequest(path, 0, 1, 0)).get(10, TimeUnit.SECONDS);
      assertThat(next.grantId()).isGreaterThan(1);
    }
    ledger.close();
    List<LedgerEntry> entries = ClusterFixture.entries(dir);
    List<LedgerEntry> late =
        entries.stream().filter(e -> e.type() == EntryType.GRANT && e.has("late")).toList();
    if (!late.isEmpty()) {
      // It had committed: recorded late, and given back at once.
      assertThat(late).singleElement().satisfies(e -> assertThat(e.getLong("id")).isEqualTo(1));
      assertThat(entries)
          .anySatisfy(
              e -> {
                assertThat(e.type()).isEqualTo(EntryType.SETTLE);
                assertThat(e.getString("reason")).isEqualTo("uncertain");
                assertThat(e.getLong("set")).isEqualTo(1);
              });
    }
    assertLedgerMatchesEtcd(entries);
  }

  private boolean grantsAgain(EtcdBudgetStore s) {
    try {
      return s.grant(new GrantRequest(path, 0, 1, 0)).get(10, TimeUnit.SECONDS)
          instanceof GrantResult.Granted;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Granted minus returned in the ledger equals the etcd counter. */
  private void assertLedgerMatchesEtcd(List<LedgerEntry> entries) throws Exception {
    long granted = 0;
    long returned = 0;
    for (LedgerEntry e : entries) {
      if (e.type() == EntryType.GRANT) {
        granted += e.getLong("amount");
      } else if (e.type() == EntryType.SETTLE) {
        returned += e.getLong("returned");
      }
    }
    assertThat(ClusterFixture.counter(client, dayKey)).isEqualTo(granted - returned);
  }

  private static String catchFailure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(10, TimeUnit.SECONDS);
      return "(completed normally)";
    } catch (ExecutionException e) {
      return String.valueOf(e.getCause().getMessage());
    }
  }
}
