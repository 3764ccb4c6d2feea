package dev.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetPath;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerReader;
import dev.sluice.time.Window;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBudgetStoreTest {

  @TempDir Path dir;

  private static GrantResult.Granted granted(GrantResult r) {
    assertThat(r).isInstanceOf(GrantResult.Granted.class);
    return (GrantResult.Granted) r;
  }

  private static long spent(LocalBudgetStore s, String node, Window w) {
    return s.usage(s.tree().node(node), w).spent();
  }

  static List<LedgerEntry> entries(Path dataDir, EntryType type) throws IOException {
    List<LedgerEntry> out = new ArrayList<>();
    try (LedgerReader r = LedgerReader.open(dataDir.resolve("ledger"))) {
      r.forEach(
          e -> {
            if (e.entry().type() == type) {
              out.add(e.entry());
            }
          });
    }
    return out;
  }

  @Test
  void aDenialThatEscrowHeldElsewhereWouldPayIsRetriedWhenThatEscrowExpires() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    BudgetPath acme = f.tree.path("inference", "acme", null); // 400 kB a day
    try (LocalBudgetStore store = f.open()) {
      GrantResult.Granted other =
          granted(store.grant(new GrantRequest(acme, 0, 300_000, 0)).join());
      f.clock.advance(Duration.ofSeconds(10));
      long left = 400_000 - spent(store, "tenant:inference/acme", Window.DAY);

      GrantResult r = store.grant(new GrantRequest(acme, 0, left + 1, 0)).join();
      assertThat(r).isInstanceOf(GrantResult.Denied.class);
      var d = ((GrantResult.Denied) r).denial();
      assertThat(d.nodeId()).isEqualTo("tenant:inference/acme");
      assertThat(d.retryAtMillis()).isEqualTo(other.expiresAt()); // not the end of the day
      assertThat(d.resetsAtMillis()).isGreaterThan(other.expiresAt());

      // More than the other holder's unsent escrow could make up (more than the cap): only the
      // day's end helps.
      r = store.grant(new GrantRequest(acme, 0, left + other.amount() + 1, 0)).join();
      d = ((GrantResult.Denied) r).denial();
      assertThat(d.retryAtMillis()).isEqualTo(d.resetsAtMillis());

      // Once settled, the other holder's escrow is back: the first request is granted.
      f.clock.advance(Duration.ofSeconds(20));
      store
          .settle(
              new Settlement(
                  acme, other.setId(), other.setTime(), other.amount(), 0, other.amount(), "test"))
          .join();
      granted(store.grant(new GrantRequest(acme, 0, left + 1, 0)).join());
    }
  }

  @Test
  void aGrantIsDurableAndCountedOnEveryNodeOfItsPath() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    BudgetPath acme = f.tree.path("inference", "acme", null);
    GrantResult.Granted g;
    try (LocalBudgetStore store = f.open()) {
      g = granted(store.grant(new GrantRequest(acme, 0, 5_000, 0)).join());
      assertThat(g.amount()).isGreaterThanOrEqualTo(5_000);
      assertThat(g.setId()).isEqualTo(g.grantId());
      assertThat(g.expiresAt()).isEqualTo(f.clock.millis() + 30_000);
      for (String node : List.of("site", "zone:inference", "tenant:inference/acme")) {
        assertThat(spent(store, node, Window.DAY)).as(node).isEqualTo(g.amount());
        assertThat(spent(store, node, Window.LIFETIME)).as(node).isEqualTo(g.amount());
      }
      assertThat(spent(store, "tenant:inference/beta", Window.DAY)).isZero();
      // Durable before the future completed: the entry is already on disk.
      assertThat(entries(dir, EntryType.GRANT))
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getLong("amount")).isEqualTo(g.amount());
                assertThat(e.getStrings("nodes"))
                    .containsExactly("site", "zone:inference", "tenant:inference/acme");
              });
    }
  }

  @Test
  void chunksAreAnEighthOfWhatRemainsAndShrinkNearTheCap() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    f.policy = new ChunkPolicy(10_000, 40_000);
    BudgetPath acme = f.tree.path("inference", "acme", null);
    try (LocalBudgetStore store = f.open()) {
      // acme day 400 kB is the tightest: 400_000 / 8 = 50_000, clamped to max 40_000.
      assertThat(granted(store.grant(new GrantRequest(acme, 0, 0, 0)).join()).amount())
          .isEqualTo(40_000);
      long total = 40_000;
      long last = Long.MAX_VALUE;
      while (total < 400_000) {
        GrantResult r = store.grant(new GrantRequest(acme, 0, 1, 0)).join();
        if (!(r instanceof GrantResult.Granted g)) {
          break;
        }
        assertThat(g.amount()).isLessThanOrEqualTo(Math.max(1, (400_000 - total) / 8 + 1));
        assertThat(g.amount()).isLessThanOrEqualTo(last);
        last = g.amount();
        total += g.amount();
      }
      assertThat(total).isLessThanOrEqualTo(400_000);
      assertThat(spent(store, "tenant:inference/acme", Window.DAY)).isEqualTo(total);
    }
  }

  @Test
  void aSpentCapIsDeniedNamingNodeWindowAndReset() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    BudgetPath acme = f.tree.path("inference", "acme", null);
    try (LocalBudgetStore store = f.open()) {
      granted(store.grant(new GrantRequest(acme, 0, 400_000, 0)).join());
      GrantResult r = store.grant(new GrantRequest(acme, 0, 1, 0)).join();
      assertThat(r).isInstanceOf(GrantResult.Denied.class);
      var d = ((GrantResult.Denied) r).denial();
      assertThat(d.nodeId()).isEqualTo("tenant:inference/acme");
      assertThat(d.window()).isEqualTo(Window.DAY);
      assertThat(d.cap()).isEqualTo(400_000);
      assertThat(d.resetsAt()).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
      // beta still has the zone's 200 kB.
      GrantResult b =
          store
              .grant(new GrantRequest(f.tree.path("inference", "beta", null), 0, 200_000, 0))
              .join();
      assertThat(granted(b).amount()).isEqualTo(200_000);
      GrantResult z =
          store.grant(new GrantRequest(f.tree.path("inference", "beta", null), 0, 1, 0)).join();
      assertThat(((GrantResult.Denied) z).denial().nodeId()).isEqualTo("zone:inference");
    }
  }

  @Test
  void settlingReturnsTheUnsentBytesAndRecordsSent() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    BudgetPath acme = f.tree.path("inference", "acme", null);
    try (LocalBudgetStore store = f.open()) {
      GrantResult.Granted g = granted(store.grant(new GrantRequest(acme, 0, 10_000, 0)).join());
      store
          .settle(
              new Settlement(
                  acme, g.setId(), g.setTime(), g.amount(), 3_000, g.amount() - 3_000, "shutdown"))
          .join();
      assertThat(spent(store, "site", Window.DAY)).isEqualTo(3_000);
      assertThat(store.usage(store.tree().node("site"), Window.DAY).sent()).isEqualTo(3_000);
      assertThat(store.openSets()).isEmpty();
    }
    assertThat(entries(dir, EntryType.SETTLE))
        .singleElement()
        .satisfies(e -> assertThat(e.getLong("returned")).isEqualTo(e.getLong("granted") - 3_000));
  }

  @Test
  void countersAreRebuiltAtStartFromTheSnapshotWithoutReplayingHistory() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    BudgetPath acme = f.tree.path("inference", "acme", null);
    BudgetPath corp = f.tree.path("employee", "default", "*.corp.example");
    try (LocalBudgetStore store = f.open()) {
      for (int i = 0; i < 20; i++) {
        GrantResult.Granted g = granted(store.grant(new GrantRequest(acme, 0, 1_000, 0)).join());
        store
            .settle(
                new Settlement(
                    acme, g.setId(), g.setTime(), g.amount(), 1_000, g.amount() - 1_000, "idle"))
            .join();
      }
      granted(store.grant(new GrantRequest(corp, 0, 7_000, 0)).join());
    }
    long acmeDay;
    try (LocalBudgetStore store = f.open()) {
      assertThat(store.ledger().recovery().resumed()).isTrue();
      // Only what came after the snapshot is replayed: the stranded set's entry, nothing before.
      assertThat(store.ledger().recovery().entriesReplayed()).isLessThan(5);
      acmeDay = spent(store, "tenant:inference/acme", Window.DAY);
      assertThat(acmeDay).isEqualTo(20_000);
      assertThat(spent(store, "dest:employee/*.corp.example", Window.DAY))
          .isGreaterThanOrEqualTo(7_000);
      // The open corp set was not settled before close: found stranded, still counted.
      assertThat(store.stranded().sets()).isEqualTo(1);
      assertThat(entries(dir, EntryType.STRANDED)).hasSize(1);
    }
    // Without the snapshot, a full replay gives the same counters.
    Files.delete(dir.resolve("ledger").resolve(LocalBudgetStore.SNAPSHOT_FILE));
    try (LocalBudgetStore store = f.open()) {
      assertThat(store.ledger().recovery().resumed()).isFalse();
      assertThat(spent(store, "tenant:inference/acme", Window.DAY)).isEqualTo(acmeDay);
      assertThat(store.stranded().sets()).isZero();
    }
  }

  @Test
  void aCorruptSnapshotFallsBackToAFullReplay() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    BudgetPath acme = f.tree.path("inference", "acme", null);
    try (LocalBudgetStore store = f.open()) {
      granted(store.grant(new GrantRequest(acme, 0, 12_345, 0)).join());
    }
    Path snap = dir.resolve("ledger").resolve(LocalBudgetStore.SNAPSHOT_FILE);
    byte[] b = Files.readAllBytes(snap);
    b[b.length / 2] ^= 0x10;
    Files.write(snap, b);
    try (LocalBudgetStore store = f.open()) {
      assertThat(store.ledger().recovery().resumed()).isFalse();
      assertThat(spent(store, "tenant:inference/acme", Window.DAY)).isGreaterThanOrEqualTo(12_345);
    }
  }

  @Test
  void aNewTimeZoneReplaysTheLedgerOnItsCalendar() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    BudgetPath acme = f.tree.path("inference", "acme", null);
    try (LocalBudgetStore store = f.open()) {
      GrantResult.Granted g = granted(store.grant(new GrantRequest(acme, 0, 5_000, 0)).join());
      store
          .settle(
              new Settlement(
                  acme, g.setId(), g.setTime(), g.amount(), 5_000, g.amount() - 5_000, "idle"))
          .join();
    }
    // 10:00 UTC is 19:00 in Tokyo, the same local day: still counted.
    f.zone = ZoneId.of("Asia/Tokyo");
    try (LocalBudgetStore store = f.open()) {
      assertThat(store.ledger().recovery().resumed()).isFalse();
      assertThat(spent(store, "tenant:inference/acme", Window.DAY)).isEqualTo(5_000);
    }
  }

  @Test
  void dayCountersResetAtMidnightWhileMonthAndLifetimeKeepCounting() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    BudgetPath acme = f.tree.path("inference", "acme", null);
    try (LocalBudgetStore store = f.open()) {
      GrantResult.Granted g = granted(store.grant(new GrantRequest(acme, 0, 400_000, 0)).join());
      assertThat(g.expiresAt()).isEqualTo(f.clock.millis() + 30_000);
      f.clock.setWall(Instant.parse("2026-11-22T23:59:50Z"));
      GrantResult late =
          store.grant(new GrantRequest(f.tree.path("inference", "beta", null), 0, 1_000, 0)).join();
      // The expiry is clamped to the end of the day.
      assertThat(granted(late).expiresAt())
          .isEqualTo(Instant.parse("2026-11-23T00:00:00Z").toEpochMilli());
      // Extending a set past its day is refused: it must be settled first.
      f.clock.setWall(Instant.parse("2026-11-23T00:00:01Z"));
      assertThat(store.grant(new GrantRequest(acme, g.setId(), 1, 0)).join())
          .isInstanceOf(GrantResult.Unavailable.class);
      store
          .settle(new Settlement(acme, g.setId(), g.setTime(), g.amount(), 400_000, 0, "expired"))
          .join();
      assertThat(spent(store, "tenant:inference/acme", Window.DAY)).isZero();
      assertThat(spent(store, "tenant:inference/acme", Window.MONTH)).isEqualTo(400_000);
      assertThat(spent(store, "site", Window.LIFETIME)).isEqualTo(400_000 + granted(late).amount());
      granted(store.grant(new GrantRequest(acme, 0, 400_000, 0)).join());
    }
    // After a restart on the new day, the same picture.
    try (LocalBudgetStore store = f.open()) {
      assertThat(spent(store, "tenant:inference/acme", Window.DAY)).isEqualTo(400_000);
      assertThat(spent(store, "tenant:inference/acme", Window.MONTH)).isEqualTo(800_000);
    }
  }

  @Test
  void aClosedStoreFailsClosed() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    LocalBudgetStore store = f.open();
    store.close();
    GrantResult r =
        store.grant(new GrantRequest(f.tree.path("inference", "acme", null), 0, 1, 0)).join();
    assertThat(r).isInstanceOf(GrantResult.Unavailable.class);
    store.close();
  }

  @Test
  void grantsExpireAfterTheirTtl() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    try (LocalBudgetStore store = f.open()) {
      GrantResult.Granted g =
          granted(
              store
                  .grant(new GrantRequest(f.tree.path("inference", "acme", null), 0, 1, 0))
                  .join());
      assertThat(g.expiresAt() - f.clock.millis()).isEqualTo(Duration.ofSeconds(30).toMillis());
    }
  }
}
