package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.cluster.ClusterFixture;
import dev.sluice.cluster.EtcdCluster;
import dev.sluice.cluster.EtcdHalts;
import dev.sluice.cluster.EtcdStoreOptions;
import dev.sluice.halt.FleetHalts;
import dev.sluice.halt.HaltState;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.time.ManualClock;
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

/**
 * Two nodes' halt controls sharing a real etcd: a halt on one is applied and ledgered by the other
 * ({@code via: etcd}, {@code from_node}), a resume on the other lifts it on both, a node's own halt
 * that etcd did not get is published once it does, and a resume that cannot reach etcd leaves the
 * halt in force.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FleetHaltControlTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final ManualClock clock = ManualClock.at("2026-12-06T08:00:00Z");
  private EtcdCluster etcd;
  private final List<Node> nodes = new ArrayList<>();

  /** One node: its halts, ledger, fleet connection and control. */
  final class Node {
    final String id;
    final Path data;
    final HaltState halts;
    final Ledger ledger;
    final EtcdHalts fleet;
    final HaltControl control;

    Node(String id) throws Exception {
      this(id, null);
    }

    /** A node whose lifts wait at {@code gate} (null: none) on their way to etcd. */
    Node(String id, Gate gate) throws Exception {
      this.id = id;
      this.data = dir.resolve(id);
      this.halts = HaltState.persistent(List.of("inference"), data.resolve("halts"));
      this.ledger = ClusterFixture.ledger(data, clock);
      this.fleet =
          EtcdHalts.open(
              new EtcdStoreOptions(
                  etcd.clientUrls(),
                  "/sluice/fleet",
                  id,
                  Duration.ofSeconds(5),
                  Duration.ofSeconds(1)));
      this.control =
          new HaltControl(halts, ledger, clock, gate == null ? fleet : gate.around(fleet), WAIT);
      fleet.watch(new FleetHaltSync(control, List.of("inference")));
    }

    void close() {
      fleet.close();
      ledger.close();
    }

    /** This node's ledger entries of {@code type} (closes the node first). */
    List<LedgerEntry> entries(EntryType type) throws Exception {
      close();
      return ClusterFixture.entries(data).stream().filter(e -> e.type() == type).toList();
    }
  }

  /**
   * The real fleet connection, with lifts held back until {@link #open}: lets a test act while a
   * resume is on its way to etcd.
   */
  static final class Gate {
    final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);

    FleetHalts around(FleetHalts real) {
      return new FleetHalts() {
        @Override
        public java.util.concurrent.CompletableFuture<Long> publish(Halt halt) {
          return real.publish(halt);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> lift(Lift lift) {
          entered.countDown();
          try {
            open.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return real.lift(lift);
        }

        @Override
        public void watch(java.util.function.Consumer<Snapshot> sink) {
          real.watch(sink);
        }

        @Override
        public String nodeId() {
          return real.nodeId();
        }

        @Override
        public String describe() {
          return real.describe();
        }

        @Override
        public void close() {
          real.close();
        }
      };
    }
  }

  @BeforeEach
  void start() throws Exception {
    etcd = EtcdCluster.start(dir.resolve("etcd"), 1);
  }

  @AfterEach
  void stop() {
    nodes.forEach(Node::close);
    etcd.close();
  }

  private Node node(String id) throws Exception {
    Node n = new Node(id);
    nodes.add(n);
    return n;
  }

  private static boolean await(java.util.function.BooleanSupplier c) {
    return EtcdCluster.poll(WAIT, c);
  }

  @Test
  void aHaltOnOneNodeIsAppliedAndLedgeredByTheOtherAndResumedFromIt() throws Exception {
    Node a = node("a");
    Node b = node("b");
    HaltControl.Outcome halted = a.control.halt(null, "incident 7").await();
    assertThat(halted.fleet()).isEqualTo("published");
    assertThat(a.halts.site().halt().published()).isTrue();
    assertThat(await(() -> b.halts.site().on())).as("b halted through etcd").isTrue();
    assertThat(b.halts.site().halt().reason()).isEqualTo("incident 7");
    assertThat(b.halts.site().halt().fleetRevision())
        .isEqualTo(a.halts.site().halt().fleetRevision());
    // A zone halt travels too; the site's stays.
    a.control.halt("inference", "zone only").await();
    assertThat(await(() -> b.halts.zone("inference").on())).isTrue();

    HaltControl.Outcome resumed = b.control.resume(null, "all clear").await();
    assertThat(resumed.fleet()).isEqualTo("lifted");
    assertThat(b.halts.site().on()).isFalse();
    assertThat(await(() -> !a.halts.site().on())).as("a resumed through etcd").isTrue();
    assertThat(a.halts.zone("inference").on()).as("the zone halt stays").isTrue();

    nodes.remove(a);
    List<LedgerEntry> aResumes = a.entries(EntryType.RESUME);
    assertThat(aResumes).hasSize(1);
    assertThat(aResumes.get(0).getString("scope")).isEqualTo("site");
    assertThat(aResumes.get(0).getString("reason")).isEqualTo("all clear");
    assertThat(aResumes.get(0).getString("via")).isEqualTo("etcd");
    assertThat(aResumes.get(0).getString("from_node")).isEqualTo("b");
    nodes.remove(b);
    List<LedgerEntry> bHalts = b.entries(EntryType.HALT);
    assertThat(bHalts).hasSize(2);
    assertThat(bHalts.get(0).getString("scope")).isEqualTo("site");
    assertThat(bHalts.get(0).getString("reason")).isEqualTo("incident 7");
    assertThat(bHalts.get(0).getString("via")).isEqualTo("etcd");
    assertThat(bHalts.get(0).getString("from_node")).isEqualTo("a");
    assertThat(bHalts.get(0).getString("by")).isEqualTo(HaltControl.BY);
  }

  @Test
  void aHaltDuringTheLiftOfAResumeIsPublishedAgainAndWins() throws Exception {
    Gate gate = new Gate();
    Node a = new Node("a", gate);
    nodes.add(a);
    Node b = node("b");
    a.control.halt(null, "first").await();
    long first = a.halts.site().halt().fleetRevision();
    assertThat(await(() -> b.halts.site().on())).isTrue();

    HaltControl.PendingResume resume = a.control.resume(null, "all clear");
    java.util.concurrent.CompletableFuture<Throwable> outcome =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                resume.await();
                return null;
              } catch (Exception e) {
                return e;
              }
            });
    assertThat(gate.entered.await(10, TimeUnit.SECONDS)).as("the resume reached etcd").isTrue();
    // A halt while the resume's lift is on its way: the halt wins, here and in the fleet.
    a.control.halt(null, "again").await();
    gate.open.countDown();
    assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(HaltControl.Conflict.class);
    assertThat(await(() -> a.halts.site().on() && a.halts.site().halt().fleetRevision() > first))
        .as("a is halted under a new fleet halt key")
        .isTrue();
    assertThat(await(() -> b.halts.site().on() && b.halts.site().halt().fleetRevision() > first))
        .as("b is halted again")
        .isTrue();
  }

  @Test
  void aResumeThatCannotReachEtcdLeavesEgressHaltedAndAHaltWaitsForEtcd() throws Exception {
    Node a = node("a");
    a.control.halt(null, "before the outage").await();
    etcd.stop(0);
    assertThatThrownBy(() -> a.control.resume(null, "during the outage").await())
        .isInstanceOf(HaltControl.NotLifted.class)
        .hasMessageContaining("egress stays halted");
    assertThat(a.halts.site().on()).isTrue();

    // A halt taken while etcd is down holds here and is published once etcd is back.
    HaltControl.Outcome zone = a.control.halt("inference", "zone during the outage").await();
    assertThat(zone.fleet()).isEqualTo("not_published");
    assertThat(a.halts.zone("inference").on()).isTrue();
    etcd.restart(0);
    etcd.awaitHealthy(Duration.ofSeconds(20));
    Node b = node("b");
    assertThat(await(() -> b.halts.zone("inference").on()))
        .as("the zone halt reached b once etcd was back")
        .isTrue();
    assertThat(b.halts.site().on()).isTrue();
  }
}
