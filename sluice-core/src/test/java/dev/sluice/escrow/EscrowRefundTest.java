package dev.sluice.escrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.LocalBudgetStore;
import dev.sluice.store.StoreFixture;
import dev.sluice.time.Window;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Giving back bytes charged moments ago ({@link EscrowAccount#refund}): only into the escrow set
 * they came from; once that set was settled they stay counted (over-counting is allowed,
 * under-counting never), also when a settle runs concurrently with charges and refunds.
 */
class EscrowRefundTest {

  @TempDir Path dir;

  @Test
  void aRefundMakesTheBytesAvailableAgainInTheSameSet() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    try (LocalBudgetStore store = f.open();
        Escrow escrow = new Escrow(store, f.clock, 25, StoreFixture.TTL)) {
      EscrowAccount a = escrow.account(f.tree.path("inference", "acme", null));
      assertThat(a.chargeWithReceipt(10, f.clock.millis())).isEqualTo(-EscrowAccount.EXPIRED);
      a.refill(1_000).join();
      long before = a.available();
      long receipt = a.chargeWithReceipt(300, f.clock.millis());
      assertThat(receipt).isNotNegative().isNotEqualTo(EscrowAccount.UNREFUNDABLE);
      assertThat(a.available()).isEqualTo(before - 300);
      assertThat(a.refund(300, receipt)).isTrue();
      assertThat(a.available()).isEqualTo(before);
      assertThat(a.sentInSet()).isZero();
      assertThat(a.refund(1, -EscrowAccount.INSUFFICIENT)).isFalse();
      assertThat(a.refund(1, EscrowAccount.UNREFUNDABLE)).isFalse();
    }
  }

  @Test
  void afterASettleTheBytesStayCounted() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    try (LocalBudgetStore store = f.open()) {
      Escrow escrow = new Escrow(store, f.clock, 25, StoreFixture.TTL);
      EscrowAccount a = escrow.account(f.tree.path("inference", "acme", null));
      a.refill(1_000).join();
      long receipt = a.chargeWithReceipt(300, f.clock.millis());
      a.settleNow("test").join();
      a.refill(1_000).join(); // a new set: the old one's bytes are no longer here
      long available = a.available();
      assertThat(a.refund(300, receipt)).isFalse();
      assertThat(a.available()).isEqualTo(available);
      escrow.close();
      assertThat(store.usage(store.tree().node("tenant:inference/acme"), Window.DAY).spent())
          .isEqualTo(300);
    }
  }

  @Test
  void concurrentChargesRefundsAndSettlesNeverUnderCount() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    f.policy = new ChunkPolicy(50_000, 50_000);
    LocalBudgetStore store = f.open();
    Escrow escrow = new Escrow(store, f.clock, 10, StoreFixture.TTL);
    EscrowAccount a = escrow.account(f.tree.path("inference", "acme", null));
    a.refill(0).join();
    AtomicLong kept = new AtomicLong(); // charged and not given back
    AtomicLong refusedRefunds = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    int threads = 4;
    CountDownLatch done = new CountDownLatch(threads);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      SplittableRandom rnd = new SplittableRandom(100 + t);
      Thread th =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 20_000 && !stop.get(); i++) {
                    long n = 1 + rnd.nextInt(20);
                    long r = a.chargeWithReceipt(n, f.clock.millis());
                    if (r < 0) {
                      continue;
                    }
                    if (rnd.nextBoolean()) {
                      if (a.refund(n, r)) {
                        continue;
                      }
                      refusedRefunds.addAndGet(n);
                    }
                    kept.addAndGet(n);
                  }
                } finally {
                  done.countDown();
                }
              });
      ts.add(th);
      th.start();
    }
    // Settle and start a new set, again and again, while the others charge and refund.
    while (done.getCount() > 0) {
      a.settleNow("test").join();
      a.refill(0).join();
    }
    for (Thread th : ts) {
      th.join();
    }
    escrow.close();
    long spent = store.usage(store.tree().node("tenant:inference/acme"), Window.DAY).spent();
    assertThat(spent).as("every byte charged and not given back is counted").isEqualTo(kept.get());
    store.close();
  }
}
