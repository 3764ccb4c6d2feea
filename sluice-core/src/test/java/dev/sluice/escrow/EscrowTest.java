package dev.sluice.escrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetPath;
import dev.sluice.escrow.EscrowAccount.Outcome;
import dev.sluice.store.BudgetReport;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.LocalBudgetStore;
import dev.sluice.store.StoreFixture;
import dev.sluice.time.Window;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EscrowTest {

  @TempDir Path dir;

  private static long spent(LocalBudgetStore s, String node, Window w) {
    return s.usage(s.tree().node(node), w).spent();
  }

  @Test
  void nothingIsChargeableBeforeTheFirstGrantThenChargesAreLocal() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    try (LocalBudgetStore store = f.open();
        Escrow escrow = new Escrow(store, f.clock, 25, StoreFixture.TTL)) {
      EscrowAccount a = escrow.account(f.tree.path("inference", "acme", null));
      assertThat(a.tryCharge(100)).isEqualTo(EscrowAccount.EXPIRED);
      assertThat(a.refill(100).join().kind()).isEqualTo(Outcome.Kind.GRANTED);
      long granted = a.available();
      assertThat(granted).isGreaterThanOrEqualTo(100);
      assertThat(a.tryCharge(100)).isEqualTo(EscrowAccount.CHARGED);
      assertThat(a.available()).isEqualTo(granted - 100);
      assertThat(a.tryCharge(granted)).isEqualTo(EscrowAccount.INSUFFICIENT);
      // Spent in the store is the whole grant; sent is what was charged.
      assertThat(spent(store, "tenant:inference/acme", Window.DAY)).isEqualTo(granted);
      BudgetReport report = BudgetReport.of(f.tree, store, escrow);
      var acmeDay = report.node("tenant:inference/acme").limits().get(0);
      assertThat(acmeDay.spent()).isEqualTo(granted);
      assertThat(acmeDay.sent()).isEqualTo(100);
      assertThat(acmeDay.remaining()).isEqualTo(400_000 - granted);
    }
  }

  @Test
  void closingReturnsUnspentEscrowToTheBudget() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    LocalBudgetStore store = f.open();
    Escrow escrow = new Escrow(store, f.clock, 25, StoreFixture.TTL);
    EscrowAccount a = escrow.account(f.tree.path("inference", "acme", null));
    a.refill(5_000).join();
    assertThat(a.tryCharge(1_234)).isEqualTo(EscrowAccount.CHARGED);
    escrow.close();
    assertThat(spent(store, "tenant:inference/acme", Window.DAY)).isEqualTo(1_234);
    assertThat(store.usage(store.tree().node("site"), Window.DAY).sent()).isEqualTo(1_234);
    assertThat(a.tryCharge(1)).isNotEqualTo(EscrowAccount.CHARGED);
    store.close();
    try (LocalBudgetStore again = f.open()) {
      assertThat(spent(again, "tenant:inference/acme", Window.DAY)).isEqualTo(1_234);
      assertThat(again.stranded().sets()).isZero();
    }
  }

  @Test
  void belowLowWaterARefillStartsInTheBackground() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    f.policy = new ChunkPolicy(10_000, 10_000);
    try (LocalBudgetStore store = f.open();
        Escrow escrow = new Escrow(store, f.clock, 50, StoreFixture.TTL)) {
      EscrowAccount a = escrow.account(f.tree.path("inference", "acme", null));
      a.refill(0).join();
      assertThat(a.available()).isEqualTo(10_000);
      assertThat(a.tryCharge(4_000)).isEqualTo(EscrowAccount.CHARGED);
      assertThat(spent(store, "tenant:inference/acme", Window.DAY)).isEqualTo(10_000);
      // 6_000 left is above 50%; 1_000 more crosses below and triggers a top-up.
      assertThat(a.tryCharge(1_001)).isEqualTo(EscrowAccount.CHARGED);
      a.refill(0).join(); // waits for the background one (or is a no-op top-up itself)
      assertThat(a.available()).isGreaterThanOrEqualTo(4_999 + 10_000);
    }
  }

  @Test
  void anAccountThatRefillsFastAsksForMoreEachTime() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    f.policy = new ChunkPolicy(1_000, 1_000);
    try (LocalBudgetStore store = f.open();
        Escrow escrow = new Escrow(store, f.clock, 25, StoreFixture.TTL, 8_000)) {
      EscrowAccount a = escrow.account(f.tree.path("inference", "acme", null));
      // Refills one after another, with nothing charged in between: a charge that leaves the
      // account below its low-water mark would start a top-up in the background, and whether that
      // top-up or the next explicit refill gets a given grant would depend on thread timing.
      long[] grants = new long[5];
      for (int i = 0; i < grants.length; i++) {
        long before = a.available();
        a.refill(0).join();
        grants[i] = a.available() - before;
      }
      // 1 000 (the store's chunk), then doubling while refills come fast, capped at 8 000.
      assertThat(grants).containsExactly(1_000, 2_000, 4_000, 8_000, 8_000);
      // A refill after a quiet second takes the usual chunk again.
      f.clock.advance(Duration.ofSeconds(2));
      long before = a.available();
      a.refill(0).join();
      assertThat(a.available() - before).isEqualTo(1_000);
    }
  }

  @Test
  void aRefillCountsTheEscrowAlreadyHeldAndAsksTheStoreOnlyForTheRest() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    try (LocalBudgetStore store = f.open();
        Escrow escrow = new Escrow(store, f.clock, 25, StoreFixture.TTL)) {
      EscrowAccount a = escrow.account(f.tree.path("inference", "acme", null)); // 400 kB a day
      assertThat(a.refill(300_000).join().kind()).isEqualTo(Outcome.Kind.GRANTED);
      assertThat(a.tryCharge(250_000)).isEqualTo(EscrowAccount.CHARGED);
      a.refill(0).join(); // the background top-up below low water, if any, has completed
      long held = a.available();
      long inStore = 400_000 - spent(store, "tenant:inference/acme", Window.DAY);
      assertThat(held).isPositive();
      // More than the store can still grant, but no more than it and the held escrow together.
      long need = inStore + held;
      assertThat(a.refill(need).join().kind()).isEqualTo(Outcome.Kind.GRANTED);
      assertThat(a.available()).isEqualTo(need);
      assertThat(spent(store, "tenant:inference/acme", Window.DAY)).isEqualTo(400_000);
      assertThat(a.tryCharge(need)).isEqualTo(EscrowAccount.CHARGED);
      // Nothing is left anywhere: one byte more is refused.
      assertThat(a.refill(1).join().kind()).isEqualTo(Outcome.Kind.DENIED);
    }
  }

  @Test
  void aNeedTheHeldEscrowAndTheStoreCannotPayTogetherIsDenied() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    try (LocalBudgetStore store = f.open();
        Escrow escrow = new Escrow(store, f.clock, 25, StoreFixture.TTL)) {
      EscrowAccount a = escrow.account(f.tree.path("inference", "acme", null)); // 400 kB a day
      assertThat(a.refill(300_000).join().kind()).isEqualTo(Outcome.Kind.GRANTED);
      long held = a.available();
      long inStore = 400_000 - spent(store, "tenant:inference/acme", Window.DAY);
      Outcome o = a.refill(held + inStore + 1).join();
      assertThat(o.kind()).isEqualTo(Outcome.Kind.DENIED);
      assertThat(o.denial().nodeId()).isEqualTo("tenant:inference/acme");
      assertThat(a.available()).isEqualTo(held); // what was held stays spendable
    }
  }

  @Test
  void aDeniedRefillNamesTheSpentLimit() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    try (LocalBudgetStore store = f.open();
        Escrow escrow = new Escrow(store, f.clock, 25, StoreFixture.TTL)) {
      EscrowAccount a = escrow.account(f.tree.path("employee", "default", "*.corp.example"));
      Outcome o = a.refill(200_001).join();
      assertThat(o.kind()).isEqualTo(Outcome.Kind.DENIED);
      assertThat(o.denial().nodeId()).isEqualTo("dest:employee/*.corp.example");
      assertThat(a.lastOutcome()).isEqualTo(o);
      assertThat(a.tryCharge(1)).isEqualTo(EscrowAccount.EXPIRED);
    }
  }

  @Test
  void atTheEndOfTheDayTheSetExpiresAndIsSettledBeforeANewOne() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    f.clock.setWall(Instant.parse("2026-11-22T23:59:59Z"));
    try (LocalBudgetStore store = f.open();
        Escrow escrow = new Escrow(store, f.clock, 25, StoreFixture.TTL)) {
      EscrowAccount a = escrow.account(f.tree.path("inference", "acme", null));
      a.refill(1_000).join();
      long first = a.available();
      assertThat(a.expiresAt()).isEqualTo(Instant.parse("2026-11-23T00:00:00Z").toEpochMilli());
      assertThat(a.tryCharge(600)).isEqualTo(EscrowAccount.CHARGED);
      f.clock.advance(Duration.ofSeconds(1));
      // Yesterday's escrow cannot be spent today.
      assertThat(a.tryCharge(1)).isEqualTo(EscrowAccount.EXPIRED);
      assertThat(a.refill(1).join().kind()).isEqualTo(Outcome.Kind.GRANTED);
      assertThat(a.tryCharge(1)).isEqualTo(EscrowAccount.CHARGED);
      // Yesterday's set was settled: only its 600 sent bytes stay in the month.
      long month = spent(store, "tenant:inference/acme", Window.MONTH);
      assertThat(month).isEqualTo(600 + a.available() + 1);
      assertThat(first).isGreaterThan(600);
    }
  }

  @Test
  void sweepReturnsEscrowOfIdleAccountsAfterTheirTtl() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    try (LocalBudgetStore store = f.open();
        Escrow escrow = new Escrow(store, f.clock, 25, StoreFixture.TTL)) {
      BudgetPath p = f.tree.path("inference", "beta", null);
      EscrowAccount a = escrow.account(p);
      a.refill(10).join();
      a.tryCharge(10);
      escrow.sweep().join();
      assertThat(spent(store, "tenant:inference/beta", Window.DAY)).isGreaterThan(10);
      f.clock.advance(Duration.ofSeconds(31));
      escrow.sweep().join();
      assertThat(spent(store, "tenant:inference/beta", Window.DAY)).isEqualTo(10);
      assertThat(escrow.held()).isZero();
    }
  }
}
