package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.NodeIds;
import dev.sluice.cluster.EtcdListing.CounterKey;
import dev.sluice.cluster.EtcdListing.Kind;
import dev.sluice.cluster.ReconcileReport.NodeSummary;
import dev.sluice.cluster.ReconcileReport.Period;
import dev.sluice.cluster.ReconcileReport.Row;
import dev.sluice.ledger.Ledger;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.GrantRequest;
import dev.sluice.store.GrantResult;
import dev.sluice.store.Settlement;
import dev.sluice.time.ManualClock;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Reconciliation} against one real etcd: three gateway nodes with their own ledgers grant,
 * settle and strand against one site; then their ledgers are reconciled with etcd, complete, with
 * one left out, after etcd was changed behind their back, and after simulated crashes between an
 * etcd commit and its ledger entry.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReconciliationTest {

  @TempDir static Path etcdDir;
  static EtcdCluster etcd;
  static Client client;

  @TempDir Path dir;

  private static final AtomicInteger SITES = new AtomicInteger();
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final ManualClock clock = ManualClock.at("2026-11-22T12:00:00Z");
  private final ChunkPolicy policy = new ChunkPolicy(1_000, 100_000);
  private final BudgetTree tree = ClusterFixture.tree(1_000_000);
  private final BudgetPath tenantT = tree.path("z", "t", null);
  private final BudgetPath tenantU = tree.path("z", "u", null);
  private final BudgetPath destination = tree.path("z", "t", "*.corp.example");
  private final WindowCalendar calendar = new WindowCalendar(ClusterFixture.UTC);
  private final long day = calendar.periodStart(Window.DAY, clock.millis());
  private String prefix;
  private EtcdKeys keys;

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

  @BeforeEach
  void site(TestInfo t) {
    prefix = "/sluice/" + t.getTestMethod().orElseThrow().getName() + SITES.incrementAndGet();
    keys = new EtcdKeys(prefix);
  }

  // ------------------------------------------------------------------ scenario

  private Path ledgerDir(String node) {
    return dir.resolve(node);
  }

  private EtcdBudgetStore open(String node, Ledger ledger) throws IOException {
    EtcdStoreOptions o =
        ClusterFixture.options(etcd.clientUrls(), prefix, node, Duration.ofSeconds(2));
    return ClusterFixture.open(tree, o, policy, clock, ledger);
  }

  private static GrantResult.Granted grant(EtcdBudgetStore s, BudgetPath p, long setId, long sent)
      throws Exception {
    GrantResult r = s.grant(new GrantRequest(p, setId, 1, sent)).get(10, TimeUnit.SECONDS);
    assertThat(r).isInstanceOf(GrantResult.Granted.class);
    return (GrantResult.Granted) r;
  }

  private static void settle(
      EtcdBudgetStore s, BudgetPath p, GrantResult.Granted first, long granted, long sent)
      throws Exception {
    s.settle(
            new Settlement(
                p, first.setId(), first.setTime(), granted, sent, granted - sent, "idle"))
        .get(10, TimeUnit.SECONDS);
  }

  /** What the three-node scenario left behind. */
  private record Scenario(long gw3Stranded, long gw3Open, long gw1Open) {}

  /**
   * gw-1: a set granted twice and settled, and a set left open (its store closed without settling
   * it). gw-2: a set on another tenant, settled. gw-3 (on the destination path): a set stranded by
   * a restart, then a set left open.
   */
  private Scenario threeNodes() throws Exception {
    long gw1Open;
    try (Ledger ledger = ClusterFixture.ledger(ledgerDir("gw-1"), clock);
        EtcdBudgetStore s = open("gw-1", ledger)) {
      GrantResult.Granted a = grant(s, tenantT, 0, 0);
      GrantResult.Granted a2 = grant(s, tenantT, a.setId(), 30_000);
      clock.advance(Duration.ofSeconds(1));
      settle(s, tenantT, a, a.amount() + a2.amount(), 60_000);
      gw1Open = grant(s, tenantT, 0, 0).amount();
    }
    try (Ledger ledger = ClusterFixture.ledger(ledgerDir("gw-2"), clock);
        EtcdBudgetStore s = open("gw-2", ledger)) {
      GrantResult.Granted b = grant(s, tenantU, 0, 0);
      clock.advance(Duration.ofSeconds(1));
      settle(s, tenantU, b, b.amount(), 12_345);
    }
    long stranded;
    long open;
    try (Ledger ledger = ClusterFixture.ledger(ledgerDir("gw-3"), clock)) {
      try (EtcdBudgetStore s = open("gw-3", ledger)) {
        stranded = grant(s, destination, 0, 7_000).amount();
      }
      clock.advance(Duration.ofSeconds(1));
      try (EtcdBudgetStore s = open("gw-3", ledger)) {
        assertThat(s.stranded().sets()).isEqualTo(1);
        open = grant(s, destination, 0, 0).amount();
      }
    }
    return new Scenario(stranded, open, gw1Open);
  }

  private ReconcileReport reconcile(String... nodes) throws IOException {
    List<LedgerSets> ledgers = new ArrayList<>();
    for (String n : nodes) {
      ledgers.add(LedgerSets.read(ledgerDir(n), true));
    }
    EtcdListing listing = EtcdListing.read(etcd.clientUrls(), prefix, TIMEOUT);
    return Reconciliation.run(ledgers, listing, ClusterFixture.UTC);
  }

  private void put(String key, String value) throws Exception {
    client
        .getKVClient()
        .put(
            ByteSequence.from(key, StandardCharsets.UTF_8),
            ByteSequence.from(value, StandardCharsets.UTF_8))
        .get(10, TimeUnit.SECONDS);
  }

  private void put(String key, byte[] value) throws Exception {
    client
        .getKVClient()
        .put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value))
        .get(10, TimeUnit.SECONDS);
  }

  private void delete(String key) throws Exception {
    client
        .getKVClient()
        .delete(ByteSequence.from(key, StandardCharsets.UTF_8))
        .get(10, TimeUnit.SECONDS);
  }

  private byte[] get(String key) throws Exception {
    var kvs =
        client
            .getKVClient()
            .get(ByteSequence.from(key, StandardCharsets.UTF_8))
            .get(10, TimeUnit.SECONDS)
            .getKvs();
    return kvs.isEmpty() ? null : kvs.get(0).getValue().getBytes();
  }

  /** Adds {@code delta} to every counter (or sent) key of a set, as a transaction would. */
  private void addToKeys(Kind kind, SetRecord r, long delta) throws Exception {
    for (String node : r.nodes()) {
      for (Window w : Window.values()) {
        String key = new CounterKey(kind, node, w, r.periods().get(w)).key(keys);
        put(key, Long.toString(ClusterFixture.counter(client, key) + delta));
      }
    }
  }

  private String tenantDayKey() {
    return keys.counter(NodeIds.tenant("z", "t"), Window.DAY, day);
  }

  private static Row row(ReconcileReport r, String etcdKey) {
    return r.rows().stream().filter(x -> x.etcdKey().equals(etcdKey)).findFirst().orElseThrow();
  }

  private static List<Row> differing(ReconcileReport r) {
    return r.rows().stream().filter(x -> !x.matches()).toList();
  }

  // ------------------------------------------------------------------ tests

  @Test
  void everyLedgerGivenEveryCounterMatches() throws Exception {
    Scenario s = threeNodes();

    ReconcileReport r = reconcile("gw-1", "gw-2", "gw-3");

    assertThat(r.problems()).isEmpty();
    assertThat(differing(r)).isEmpty();
    assertThat(r.ok()).isTrue();
    assertThat(r.prefix()).isEqualTo(prefix);
    // Every counter and sent key in etcd was compared: 3 paths, site and zone shared.
    assertThat(r.notCompared()).isZero();
    assertThat(r.rows())
        .hasSize(EtcdListing.read(etcd.clientUrls(), prefix, TIMEOUT).counters().size());
    assertThat(r.periods())
        .extracting(p -> p.label(ClusterFixture.UTC))
        .containsExactly("day 2026-11-22", "week 2026-11-16", "month 2026-11", "lifetime");
    long tenantDay = ClusterFixture.counter(client, tenantDayKey());
    assertThat(row(r, tenantDayKey()).expected()).isEqualTo(tenantDay).isPositive();
    assertThat(row(r, keys.counter("site", Window.LIFETIME, 0)).actual())
        .isEqualTo(
            tenantDay
                + ClusterFixture.counter(client, keys.counter("tenant:z/u", Window.DAY, day)));
    assertThat(row(r, keys.sent("site", Window.DAY, day)).expected())
        .isEqualTo(60_000 + 12_345 + 7_000);
    // gw-1's open set and gw-3's open set are in etcd and counted from their ledgers.
    assertThat(r.nodes())
        .extracting(NodeSummary::node, NodeSummary::openInEtcd, NodeSummary::heldInEtcd)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("gw-1", 1, s.gw1Open()),
            org.assertj.core.groups.Tuple.tuple("gw-2", 0, 0L),
            org.assertj.core.groups.Tuple.tuple("gw-3", 1, s.gw3Open()));
    assertThat(r.nodes()).allSatisfy(n -> assertThat(n.unledgered()).isZero());
    assertThat(r.ledgers()).allSatisfy(l -> assertThat(l.verified()).isTrue());
    assertThat(r.notes()).isEmpty();
  }

  @Test
  void aLedgerLeftOutShowsAsDifferencesOfThatNode() throws Exception {
    Scenario s = threeNodes();

    ReconcileReport r = reconcile("gw-1", "gw-2");

    assertThat(r.ok()).isFalse();
    assertThat(r.problems()).isEmpty();
    NodeSummary gw3 = r.nodes().get(2);
    assertThat(gw3.node()).isEqualTo("gw-3");
    assertThat(gw3.covered()).isFalse();
    assertThat(gw3.openInEtcd()).isEqualTo(1);
    assertThat(r.notes())
        .anyMatch(n -> n.startsWith("node gw-3 is in etcd (sequence 2, 1 open set"));
    // The destination's keys are gw-3's alone: etcd holds both its sets, the ledgers nothing.
    String dest =
        keys.counter(
            NodeIds.destination("z", "*.corp.example"),
            Window.MONTH,
            calendar.periodStart(Window.MONTH, clock.millis()));
    Row d = row(r, dest);
    assertThat(d.expected()).isZero();
    assertThat(d.actual()).isEqualTo(s.gw3Stranded() + s.gw3Open());
    assertThat(d.explanation().get(0))
        .isEqualTo("open sets of nodes whose ledger was not given: gw-3 " + s.gw3Open() + " bytes");
    assertThat(d.explanation().get(1))
        .isEqualTo(
            "the other "
                + s.gw3Stranded()
                + " bytes: settled or stranded sets of gw-3 (in etcd, but no ledger of it was"
                + " given)");
    // Every difference is gw-3's: exactly the keys of the destination path, spent and sent.
    assertThat(differing(r))
        .isNotEmpty()
        .allSatisfy(
            x -> {
              assertThat(x.difference()).isPositive();
              assertThat(String.join(" ", x.explanation())).contains("gw-3");
            });
    assertThat(differing(r))
        .extracting(x -> x.key().budgetNode())
        .containsOnly("site", "zone:z", "tenant:z/t", "dest:z/*.corp.example");
    Row sent = row(r, keys.sent("site", Window.DAY, day));
    assertThat(sent.difference()).isEqualTo(7_000);
    assertThat(sent.explanation().get(0))
        .startsWith("sent bytes of settled or stranded sets of gw-3");
  }

  @Test
  void aTamperedCounterIsReportedWithBothValues() throws Exception {
    threeNodes();
    long right = ClusterFixture.counter(client, tenantDayKey());
    put(tenantDayKey(), Long.toString(right - 5_000));
    // A key of a day long before these ledgers began is not compared.
    long early =
        calendar.periodStart(Window.DAY, Instant.parse("2026-10-01T12:00:00Z").toEpochMilli());
    put(keys.counter("site", Window.DAY, early), "42");

    ReconcileReport r = reconcile("gw-1", "gw-2", "gw-3");

    assertThat(r.ok()).isFalse();
    assertThat(differing(r))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.etcdKey()).isEqualTo(tenantDayKey());
              assertThat(x.actual()).isEqualTo(right - 5_000);
              assertThat(x.expected()).isEqualTo(right);
              assertThat(x.difference()).isEqualTo(-5_000);
              assertThat(x.explanation())
                  .singleElement()
                  .asString()
                  .startsWith(
                      "SERIOUS: etcd counts 5000 bytes less than the ledgers prove were granted and not"
                          + " returned");
            });
    assertThat(r.notCompared()).isEqualTo(1);
    assertThat(r.otherPeriods()).containsExactly(new Period(Window.DAY, early));

    put(tenantDayKey(), Long.toString(right + 1));
    Row raised = row(reconcile("gw-1", "gw-2", "gw-3"), tenantDayKey());
    assertThat(raised.difference()).isEqualTo(1);
    assertThat(raised.explanation())
        .singleElement()
        .asString()
        .startsWith(
            "etcd counts 1 bytes more than the given ledgers account for although every node");
  }

  @Test
  void grantsCommittedInEtcdWhoseEntryWasLostAreCountedAndExplained() throws Exception {
    GrantResult.Granted a;
    try (Ledger ledger = ClusterFixture.ledger(ledgerDir("gw-1"), clock);
        EtcdBudgetStore s = open("gw-1", ledger)) {
      a = grant(s, tenantT, 0, 0);
    }
    // As if gw-1 had then extended set 1 by 5000 bytes and opened set 3 with 2000, and crashed
    // after each etcd transaction committed, before the GRANT entry was appended.
    String setKey = keys.set("gw-1", a.setId());
    SetRecord r1 = SetRecord.parse(setKey, get(setKey));
    put(setKey, r1.plus(2, 5_000, 0, r1.expiresAt(), clock.millis()).toJson());
    addToKeys(Kind.SPENT, r1, 5_000);
    SetRecord r3 =
        new SetRecord(
            3,
            "gw-1",
            clock.millis(),
            tenantT.nodeIds(),
            SetRecord.periodsOf(calendar, clock.millis()),
            2_000,
            0,
            3,
            2_000,
            clock.millis() + 30_000,
            clock.millis());
    put(keys.set("gw-1", 3), r3.toJson());
    addToKeys(Kind.SPENT, r3, 2_000);
    put(keys.seq("gw-1"), "3");

    ReconcileReport before = reconcile("gw-1");

    assertThat(before.problems()).isEmpty();
    assertThat(differing(before)).isEmpty();
    assertThat(before.ok()).isTrue();
    assertThat(before.nodes().get(0).unledgered()).isEqualTo(7_000);
    assertThat(before.notes())
        .containsExactly(
            "set 1 of node gw-1: its grant record in etcd says "
                + (a.amount() + 5_000)
                + " bytes granted, its GRANT entries add up to "
                + a.amount()
                + ": 5000 bytes were granted in etcd without a GRANT entry (a crash between the"
                + " etcd commit and the ledger append, or the node is still appending it);"
                + " counted",
            "set 3 of node gw-1 is open in etcd (2000 bytes granted) but not in its ledger: its"
                + " grant committed in etcd and the GRANT entry was lost (a crash between the etcd"
                + " commit and the ledger append); counted. The node records it as stranded at its"
                + " next start",
            "node gw-1: 2 grant ids up to its sequence 3 have no GRANT entry in its ledger: 2..3"
                + " (grants committed in etcd whose entry was lost; their bytes are counted where a"
                + " STRANDED or SETTLE entry or an open record shows them)");

    // The node restarts: both sets are stranded with etcd's granted, more than the ledger's.
    try (Ledger ledger = ClusterFixture.ledger(ledgerDir("gw-1"), clock);
        EtcdBudgetStore s = open("gw-1", ledger)) {
      assertThat(s.stranded().sets()).isEqualTo(2);
    }
    ReconcileReport after = reconcile("gw-1");
    assertThat(after.ok()).isTrue();
    assertThat(after.nodes().get(0).openInEtcd()).isZero();
    assertThat(after.nodes().get(0).unledgered()).isEqualTo(7_000);
    assertThat(after.notes())
        .filteredOn(n -> n.contains("STRANDED entry"))
        .hasSize(2)
        .anySatisfy(
            n ->
                assertThat(n)
                    .startsWith("set 3 of node gw-1: its STRANDED entry (")
                    .contains(
                        "says etcd granted 2000, its GRANT entries add up to 0: 2000 bytes were"
                            + " granted in etcd without a GRANT entry (a crash between the etcd"
                            + " commit and the ledger append); counted"));
  }

  @Test
  void aSettlementWhoseEntryWasLostIsExplained() throws Exception {
    GrantResult.Granted a;
    try (Ledger ledger = ClusterFixture.ledger(ledgerDir("gw-1"), clock);
        EtcdBudgetStore s = open("gw-1", ledger)) {
      a = grant(s, tenantT, 0, 0);
    }
    // As if gw-1 had settled set 1 (900 bytes sent) and crashed before its SETTLE entry.
    String setKey = keys.set("gw-1", a.setId());
    SetRecord r1 = SetRecord.parse(setKey, get(setKey));
    delete(setKey);
    addToKeys(Kind.SPENT, r1, -(a.amount() - 900));
    addToKeys(Kind.SENT, r1, 900);

    ReconcileReport r = reconcile("gw-1");

    assertThat(r.ok()).isFalse();
    assertThat(r.notes())
        .singleElement()
        .asString()
        .startsWith(
            "node gw-1: 1 set open in its ledger has no grant record in etcd: 1 ("
                + a.amount()
                + " bytes)");
    Row spent = row(r, tenantDayKey());
    assertThat(spent.difference()).isEqualTo(-(a.amount() - 900));
    assertThat(spent.explanation())
        .containsExactly(
            "returned by sets open in their ledger but gone from etcd (closing entry lost): gw-1/1,"
                + " up to "
                + a.amount()
                + " bytes");
    Row sent = row(r, keys.sent("tenant:z/t", Window.DAY, day));
    assertThat(sent.difference()).isEqualTo(900);
    assertThat(sent.explanation()).singleElement().asString().startsWith("sent by sets open");
  }

  @Test
  void aLedgerThatDoesNotVerifyIsNotReconciled() throws Exception {
    threeNodes();
    // Flip one byte in the middle of gw-2's entries.
    Path entries = ledgerDir("gw-2").resolve("ledger").resolve("entries.log");
    try (FileChannel ch =
        FileChannel.open(entries, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      long at = ch.size() / 2;
      ch.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
      ch.write(b, at);
    }

    ReconcileReport r = reconcile("gw-1", "gw-2", "gw-3");

    assertThat(r.ok()).isFalse();
    assertThat(r.ledgers().get(1).verified()).isFalse();
    assertThat(r.problems())
        .singleElement()
        .asString()
        .startsWith("ledger " + ledgerDir("gw-2") + " does not verify, so it is not reconciled")
        .contains("entries.log: entry ");
    assertThat(r.nodes())
        .filteredOn(n -> n.node().equals("gw-2"))
        .singleElement()
        .satisfies(n -> assertThat(n.covered()).isFalse());
    assertThat(differing(r))
        .isNotEmpty()
        .allSatisfy(x -> assertThat(x.explanation().toString()).contains("gw-2"));
  }

  @Test
  void oneNodeInTwoLedgersIsRefused() throws Exception {
    try (Ledger ledger = ClusterFixture.ledger(ledgerDir("gw-1"), clock);
        EtcdBudgetStore s = open("gw-1", ledger)) {
      grant(s, tenantT, 0, 0);
    }
    try (Ledger ledger = ClusterFixture.ledger(ledgerDir("copy"), clock);
        EtcdBudgetStore s = open("gw-1", ledger)) {
      grant(s, tenantT, 0, 0); // the same node id writing to another ledger
    }
    EtcdListing listing = EtcdListing.read(etcd.clientUrls(), prefix, TIMEOUT);
    LedgerSets first = LedgerSets.read(ledgerDir("gw-1"), true);
    LedgerSets copy = LedgerSets.read(ledgerDir("copy"), true);
    assertThatThrownBy(() -> Reconciliation.run(List.of(first, copy), listing, ClusterFixture.UTC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "gateway node gw-1 is in two ledgers, "
                + ledgerDir("gw-1")
                + " and "
                + ledgerDir("copy")
                + ": give each node's ledger once");
    LedgerSets again = LedgerSets.read(ledgerDir("gw-1").resolve("ledger"), true);
    assertThatThrownBy(() -> Reconciliation.run(List.of(first, again), listing, ClusterFixture.UTC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ledger " + ledgerDir("gw-1").resolve("ledger") + " is given twice");
  }

  @Test
  void listingReadsInPagesAtOneRevision() throws Exception {
    threeNodes();
    Map<CounterKey, Long> whole = EtcdListing.read(etcd.clientUrls(), prefix, TIMEOUT).counters();
    EtcdListing paged = EtcdListing.read(client.getKVClient(), prefix, TIMEOUT, 3);
    assertThat(paged.counters()).isEqualTo(whole);
    assertThat(paged.sets().get("gw-1")).hasSize(1);
    assertThat(paged.seq()).containsOnlyKeys("gw-1", "gw-2", "gw-3");
    assertThat(paged.live()).isEmpty();
    assertThat(paged.malformed()).isEmpty();
  }

  @Test
  void malformedKeysAreKeptWithTheReason() {
    byte[] one = "1".getBytes(StandardCharsets.US_ASCII);
    EtcdListing l =
        EtcdListing.of(
            "/s",
            Map.of(
                "/s/v1/counters/site/day/0",
                one,
                "/s/v1/counters/site/fortnight/0",
                one,
                "/s/v1/sent/site/day/0",
                "-3".getBytes(StandardCharsets.US_ASCII),
                "/s/v1/sets/gw-1/7",
                "{".getBytes(StandardCharsets.US_ASCII),
                "/s/v1/other",
                one),
            9);
    assertThat(l.counters()).containsOnlyKeys(new CounterKey(Kind.SPENT, "site", Window.DAY, 0));
    assertThat(l.malformed())
        .hasSize(4)
        .anyMatch(m -> m.startsWith("/s/v1/counters/site/fortnight/0: unknown window"))
        .anyMatch(m -> m.startsWith("/s/v1/sent/site/day/0: etcd key"))
        .anyMatch(m -> m.startsWith("/s/v1/sets/gw-1/7: set record"))
        .anyMatch(m -> m.equals("/s/v1/other: unknown key kind other"));
  }
}
