package dev.sluice.escrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.LocalBudgetStore;
import dev.sluice.store.StoreFixture;
import dev.sluice.time.ManualClock;
import dev.sluice.time.Window;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The whole budget stack, escrow in front of the local store and its ledger: whatever the threads
 * do, the bytes they are allowed to charge never exceed any cap; after the escrow is closed the
 * store's counters equal exactly what was charged; after a restart they still do.
 */
class EscrowCapPropertiesTest {

  @Property(seed = "20261212", tries = 12)
  void chargesThroughEscrowNeverPassACapAndAreCountedExactly(
      @ForAll long seed, @ForAll @IntRange(min = 2, max = 5) int threads) throws Exception {
    Random rnd = new Random(seed);
    Path dir = Files.createTempDirectory("sluice-escrow-prop");
    try {
      BudgetTree tree = randomTree(rnd);
      StoreFixture f = new StoreFixture(dir, ManualClock.at("2026-11-22T10:00:00Z"), tree);
      f.policy = new ChunkPolicy(1 + rnd.nextInt(2_000), 2_000 + rnd.nextInt(20_000));
      List<BudgetPath> paths = new ArrayList<>();
      for (String zone : tree.zones()) {
        for (String tenant : tree.tenants(zone)) {
          paths.add(tree.path(zone, tenant, null));
          for (String d : tree.destinations(zone)) {
            paths.add(tree.path(zone, tenant, d));
          }
        }
      }
      AtomicLongArray charged = new AtomicLongArray(tree.nodes().size());
      LocalBudgetStore store = f.open();
      Escrow escrow = new Escrow(store, f.clock, 1 + rnd.nextInt(90), StoreFixture.TTL);
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long s = rnd.nextLong();
        Thread th =
            new Thread(
                () -> {
                  Random r = new Random(s);
                  awaitQuietly(go);
                  for (int k = 0; k < 150; k++) {
                    BudgetPath p = paths.get(r.nextInt(paths.size()));
                    long n = 1 + r.nextInt(r.nextBoolean() ? 100 : 3_000);
                    if (chargeWithRefill(escrow.account(p), n)) {
                      for (int i = 0; i < p.nodeCount(); i++) {
                        charged.addAndGet(p.node(i).index(), n);
                      }
                    }
                  }
                });
        th.start();
        workers.add(th);
      }
      go.countDown();
      for (Thread th : workers) {
        th.join();
      }
      for (BudgetNode node : tree.nodes()) {
        for (Limit l : node.limits()) {
          assertThat(charged.get(node.index()))
              .as("%s %s", node.id(), l)
              .isLessThanOrEqualTo(l.cap());
        }
        // Spent covers every charged byte even before escrow is returned.
        assertThat(store.usage(node, Window.DAY).spent())
            .isGreaterThanOrEqualTo(charged.get(node.index()));
      }
      escrow.close();
      for (BudgetNode node : tree.nodes()) {
        assertThat(store.usage(node, Window.LIFETIME).spent())
            .as("%s after settling", node.id())
            .isEqualTo(charged.get(node.index()));
        assertThat(store.usage(node, Window.DAY).sent()).isEqualTo(charged.get(node.index()));
      }
      store.close();
      try (LocalBudgetStore again = f.open()) {
        for (BudgetNode node : tree.nodes()) {
          assertThat(again.usage(node, Window.DAY).spent()).isEqualTo(charged.get(node.index()));
        }
      }
    } finally {
      deleteRecursively(dir);
    }
  }

  /** Charges like the gateway will: refill on INSUFFICIENT or EXPIRED, give up when denied. */
  static boolean chargeWithRefill(EscrowAccount a, long n) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int r = a.tryCharge(n);
      if (r == EscrowAccount.CHARGED) {
        return true;
      }
      EscrowAccount.Outcome o = a.refill(n).join();
      if (o.kind() != EscrowAccount.Outcome.Kind.GRANTED) {
        return false;
      }
    }
    return false;
  }

  static BudgetTree randomTree(Random rnd) {
    BudgetTree.Builder b = BudgetTree.builder(limits(rnd, 200_000, true));
    int zones = 1 + rnd.nextInt(2);
    for (int z = 0; z < zones; z++) {
      String zone = "z" + z;
      b.zone(zone, limits(rnd, 120_000, false));
      for (int t = 0; t < 1 + rnd.nextInt(3); t++) {
        b.tenant(zone, "t" + t, limits(rnd, 60_000, false));
      }
      for (int d = 0; d < rnd.nextInt(2); d++) {
        b.destination(zone, "d" + d + ".example", limits(rnd, 40_000, false));
      }
    }
    return b.build();
  }

  static List<Limit> limits(Random rnd, int scale, boolean atLeastOne) {
    List<Limit> out = new ArrayList<>();
    for (Window w : Window.values()) {
      if (rnd.nextInt(3) == 0 || (atLeastOne && out.isEmpty() && w == Window.LIFETIME)) {
        out.add(new Limit(w, rnd.nextInt(scale)));
      }
    }
    return out;
  }

  private static void awaitQuietly(CountDownLatch l) {
    try {
      l.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
