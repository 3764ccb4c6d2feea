package dev.sluice.cluster;

import dev.sluice.budget.BudgetPath;
import dev.sluice.store.BudgetStore;
import dev.sluice.store.GrantRequest;
import dev.sluice.store.GrantResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many threads per store asking many stores for new escrow sets on one path at once, until each
 * thread has been denied a few times or made its number of requests. Counts what was granted.
 */
public final class Race {

  public final AtomicLong granted = new AtomicLong();
  public final AtomicLong grants = new AtomicLong();
  public final AtomicLong denied = new AtomicLong();
  public final AtomicLong unavailable = new AtomicLong();

  /**
   * Runs the race.
   *
   * @param maxNeed each request needs 1..maxNeed bytes
   * @param requests most requests per thread
   */
  public static Race run(
      List<? extends BudgetStore> stores,
      int threadsPerStore,
      BudgetPath path,
      long maxNeed,
      int requests)
      throws Exception {
    Race race = new Race();
    int n = stores.size() * threadsPerStore;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (BudgetStore s : stores) {
        for (int t = 0; t < threadsPerStore; t++) {
          fs.add(pool.submit(() -> race.hammer(s, path, maxNeed, requests, go)));
        }
      }
      go.countDown();
      for (Future<?> f : fs) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return race;
  }

  private Void hammer(BudgetStore s, BudgetPath path, long maxNeed, int requests, CountDownLatch go)
      throws Exception {
    go.await();
    int denials = 0;
    for (int i = 0; i < requests && denials < 3; i++) {
      long need = ThreadLocalRandom.current().nextLong(1, maxNeed + 1);
      GrantResult r = s.grant(new GrantRequest(path, 0, need, 0)).get(30, TimeUnit.SECONDS);
      if (r instanceof GrantResult.Granted g) {
        granted.addAndGet(g.amount());
        grants.incrementAndGet();
      } else if (r instanceof GrantResult.Denied) {
        denied.incrementAndGet();
        denials++;
      } else {
        unavailable.incrementAndGet();
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "Race[granted="
        + granted
        + " in "
        + grants
        + " grants, denied="
        + denied
        + ", unavailable="
        + unavailable
        + "]";
  }
}
