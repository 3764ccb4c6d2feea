package dev.sluice.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import java.math.BigInteger;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Properties of {@link BudgetCounters#tryCharge}: no cap is ever passed under concurrent charges,
 * every charge is all-or-nothing, and arithmetic near {@link Long#MAX_VALUE} never overflows.
 */
class BudgetCountersPropertiesTest {

  private static final long NOW = 1_795_000_000_000L;
  private static final WindowCalendar UTC = new WindowCalendar(ZoneId.of("UTC"));

  /** A random tree and every path through it. */
  record World(BudgetTree tree, List<BudgetPath> paths) {}

  static World randomWorld(Random rnd, long capScale) {
    BudgetTree.Builder b = BudgetTree.builder(randomLimits(rnd, capScale, true));
    int zones = 1 + rnd.nextInt(3);
    List<String[]> pathSpecs = new ArrayList<>();
    for (int z = 0; z < zones; z++) {
      String zone = "z" + z;
      b.zone(zone, randomLimits(rnd, capScale, false));
      int tenants = 1 + rnd.nextInt(3);
      int dests = rnd.nextInt(3);
      for (int t = 0; t < tenants; t++) {
        b.tenant(zone, "t" + t, randomLimits(rnd, capScale, false));
      }
      for (int d = 0; d < dests; d++) {
        b.destination(zone, "d" + d + ".example", randomLimits(rnd, capScale, false));
      }
      for (int t = 0; t < tenants; t++) {
        pathSpecs.add(new String[] {zone, "t" + t, null});
        for (int d = 0; d < dests; d++) {
          pathSpecs.add(new String[] {zone, "t" + t, "d" + d + ".example"});
        }
      }
    }
    BudgetTree tree = b.build();
    List<BudgetPath> paths = new ArrayList<>();
    for (String[] s : pathSpecs) {
      paths.add(tree.path(s[0], s[1], s[2]));
    }
    return new World(tree, paths);
  }

  static List<Limit> randomLimits(Random rnd, long capScale, boolean atLeastOne) {
    List<Limit> limits = new ArrayList<>();
    for (Window w : Window.values()) {
      if (rnd.nextInt(3) == 0 || (atLeastOne && limits.isEmpty() && w == Window.LIFETIME)) {
        long cap =
            capScale == Long.MAX_VALUE
                ? Long.MAX_VALUE - rnd.nextInt(1000)
                : rnd.nextLong(capScale + 1);
        limits.add(new Limit(w, cap));
      }
    }
    return limits;
  }

  @Property(seed = "20261210", tries = 60)
  void concurrentChargesNeverPassAnyCapAndAreAllOrNothing(
      @ForAll long seed,
      @ForAll @IntRange(min = 2, max = 6) int threads,
      @ForAll @LongRange(min = 0, max = 5_000) long capScale) {
    Random rnd = new Random(seed);
    World world = randomWorld(rnd, capScale);
    BudgetCounters counters = new BudgetCounters(world.tree(), UTC, NOW);
    int nodes = world.tree().nodes().size();
    // Successful charges per node, summed independently of the counters.
    AtomicLongArray paidPerNode = new AtomicLongArray(nodes);
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      long threadSeed = rnd.nextLong();
      Thread th =
          new Thread(
              () -> {
                Random r = new Random(threadSeed);
                awaitQuietly(start);
                for (int k = 0; k < 400; k++) {
                  BudgetPath p = world.paths().get(r.nextInt(world.paths().size()));
                  long n = r.nextInt(4) == 0 ? r.nextInt(2_000) : r.nextInt(64);
                  if (counters.tryCharge(p, n, NOW) == BudgetCounters.CHARGED) {
                    for (int idx : p.nodeIndexes()) {
                      paidPerNode.addAndGet(idx, n);
                    }
                  }
                }
              });
      th.start();
      workers.add(th);
    }
    start.countDown();
    workers.forEach(BudgetCountersPropertiesTest::joinQuietly);

    for (BudgetNode node : world.tree().nodes()) {
      for (Window w : Window.values()) {
        long spent = counters.spent(node.index(), w, NOW);
        // All-or-nothing: the counters hold exactly the successful charges, no residue.
        assertThat(spent).as("%s %s spent", node.id(), w).isEqualTo(paidPerNode.get(node.index()));
        long cap = node.cap(w);
        if (cap != BudgetNode.NO_LIMIT) {
          assertThat(spent).as("%s %s within cap %d", node.id(), w, cap).isLessThanOrEqualTo(cap);
        }
      }
    }
  }

  @Property(seed = "20261211", tries = 300)
  void sequentialChargesMatchAnExactModel(@ForAll long seed, @ForAll boolean huge) {
    Random rnd = new Random(seed);
    long scale = huge ? Long.MAX_VALUE : 10_000;
    World world = randomWorld(rnd, scale);
    BudgetCounters counters = new BudgetCounters(world.tree(), UTC, NOW);
    BigInteger[] model = new BigInteger[world.tree().nodes().size()];
    java.util.Arrays.fill(model, BigInteger.ZERO);
    BigInteger max = BigInteger.valueOf(Long.MAX_VALUE);
    for (int k = 0; k < 200; k++) {
      BudgetPath p = world.paths().get(rnd.nextInt(world.paths().size()));
      long n = huge ? Long.MAX_VALUE / (1 + rnd.nextInt(4)) - rnd.nextInt(3) : rnd.nextInt(3_000);
      boolean fits = true;
      for (int i = 0; i < p.nodeCount(); i++) {
        BudgetNode node = p.node(i);
        BigInteger after = model[node.index()].add(BigInteger.valueOf(n));
        if (after.compareTo(max) > 0) {
          fits = false;
        }
        for (Limit l : node.limits()) {
          if (after.compareTo(BigInteger.valueOf(l.cap())) > 0) {
            fits = false;
          }
        }
      }
      int result = counters.tryCharge(p, n, NOW);
      assertThat(result == BudgetCounters.CHARGED).as("charge %d on %s", n, p).isEqualTo(fits);
      if (fits) {
        for (int idx : p.nodeIndexes()) {
          model[idx] = model[idx].add(BigInteger.valueOf(n));
        }
      } else if (n > 0) {
        // The refusing slot really is one that cannot take n more bytes.
        long cap = p.slotCap(result);
        long spent = counters.spent(p.slotNode(result), p.slotWindow(result), NOW);
        long limit = cap == BudgetNode.NO_LIMIT ? Long.MAX_VALUE : cap;
        assertThat(BigInteger.valueOf(spent).add(BigInteger.valueOf(n)))
            .isGreaterThan(BigInteger.valueOf(limit));
      }
      for (BudgetNode node : world.tree().nodes()) {
        assertThat(counters.spent(node.index(), Window.DAY, NOW))
            .isEqualTo(model[node.index()].longValueExact());
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void joinQuietly(Thread t) {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
