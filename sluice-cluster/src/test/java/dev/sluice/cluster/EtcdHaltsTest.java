package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.halt.FleetHalts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Fleet halt keys in a real etcd: publish, watch, lift, and who lifted, between two nodes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EtcdHaltsTest {

  private static final dev.sluice.time.Clock CLOCK = dev.sluice.time.Clock.system();

  @TempDir Path dir;
  EtcdCluster etcd;
  EtcdHalts a;
  EtcdHalts b;
  final LinkedBlockingQueue<FleetHalts.Snapshot> seenByB = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    etcd = EtcdCluster.start(dir.resolve("etcd"), 1);
    a = EtcdHalts.open(options("a"));
    b = EtcdHalts.open(options("b"));
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    etcd.close();
  }

  private EtcdStoreOptions options(String node) {
    return new EtcdStoreOptions(
        etcd.clientUrls(),
        "/sluice/halts-test",
        node,
        Duration.ofSeconds(5),
        Duration.ofSeconds(2));
  }

  private FleetHalts.Snapshot awaitSnapshot(Predicate<FleetHalts.Snapshot> p)
      throws InterruptedException {
    long deadline = CLOCK.nanos() + Duration.ofSeconds(10).toNanos();
    for (long left = deadline - CLOCK.nanos(); left > 0; left = deadline - CLOCK.nanos()) {
      FleetHalts.Snapshot s = seenByB.poll(left, TimeUnit.NANOSECONDS);
      if (s != null && p.test(s)) {
        return s;
      }
    }
    throw new AssertionError("no such snapshot within 10 s");
  }

  @Test
  void aHaltPublishedByOneNodeReachesTheOtherAndItsLiftSaysWho() throws Exception {
    b.watch(seenByB::add);
    FleetHalts.Snapshot first = awaitSnapshot(s -> true);
    assertThat(first.halts()).isEmpty();

    long rev =
        a.publish(new FleetHalts.Halt("site", "incident 7", "admin-token", "a", 1_000, 0))
            .get(5, TimeUnit.SECONDS);
    FleetHalts.Snapshot halted = awaitSnapshot(s -> s.halts().containsKey("site"));
    assertThat(halted.halts().get("site"))
        .isEqualTo(new FleetHalts.Halt("site", "incident 7", "admin-token", "a", 1_000, rev));
    assertThat(halted.revision()).isGreaterThanOrEqualTo(rev);

    // A second halt of the same scope keeps the first.
    long again =
        b.publish(new FleetHalts.Halt("site", "later", "admin-token", "b", 2_000, 0))
            .get(5, TimeUnit.SECONDS);
    assertThat(again).isEqualTo(rev);

    // A lift of another halt than the one in etcd is refused.
    assertThatThrownBy(
            () ->
                b.lift(new FleetHalts.Lift("site", "wrong", "admin-token", "b", rev + 100))
                    .get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(FleetHalts.LiftConflict.class);

    b.lift(new FleetHalts.Lift("site", "all clear", "admin-token", "b", rev))
        .get(5, TimeUnit.SECONDS);
    FleetHalts.Snapshot lifted = awaitSnapshot(s -> !s.halts().containsKey("site"));
    assertThat(lifted.lifts())
        .isEqualTo(
            Map.of("site", new FleetHalts.Lift("site", "all clear", "admin-token", "b", rev)));
    // Lifting what is already lifted is nothing.
    a.lift(new FleetHalts.Lift("site", "again", "admin-token", "a", rev)).get(5, TimeUnit.SECONDS);
  }

  @Test
  void aHaltPublishedWhileTheWatcherWasDownIsSeenWhenItComesBack() throws Exception {
    long rev =
        a.publish(new FleetHalts.Halt("inference", "zone", "admin-token", "a", 5, 0))
            .get(5, TimeUnit.SECONDS);
    // The first snapshot is delivered before watch() returns.
    b.watch(seenByB::add);
    FleetHalts.Snapshot s = seenByB.poll();
    assertThat(s).isNotNull();
    assertThat(s.halts().get("inference").revision()).isEqualTo(rev);

    etcd.stop(0);
    etcd.restart(0);
    etcd.awaitHealthy(Duration.ofSeconds(20));
    seenByB.clear();
    EtcdHalts c = EtcdHalts.open(options("c"));
    try {
      c.publish(new FleetHalts.Halt("site", "after restart", "admin-token", "c", 9, 0))
          .get(10, TimeUnit.SECONDS);
    } finally {
      c.close();
    }
    FleetHalts.Snapshot after = awaitSnapshot(x -> x.halts().containsKey("site"));
    assertThat(after.halts().keySet()).containsExactlyInAnyOrder("site", "inference");
  }

  @Test
  void fleetKeysAreNotMalformedBudgetKeys() {
    EtcdKeys keys = new EtcdKeys("/p");
    EtcdListing l =
        EtcdListing.of(
            "/p",
            Map.of(
                keys.halt("site"),
                new byte[] {'{', '}'},
                keys.lift("z"),
                new byte[0],
                // An approved transfer (EtcdTransfers) lives under fleet/ too: ledger reconcile
                // must not report it as a malformed budget key.
                keys.transfer("0123456789abcdef0123456789abcdef"),
                new byte[] {'v', '1'}),
            3);
    assertThat(l.malformed()).isEmpty();
    assertThat(List.of(keys.halt("a/b"))).containsExactly("/p/v1/fleet/halts/a%2Fb");
  }
}
