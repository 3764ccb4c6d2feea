package dev.sluice.escrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.escrow.EscrowAccount.Outcome;
import dev.sluice.store.LocalBudgetStore;
import dev.sluice.store.StoreFixture;
import dev.sluice.time.Window;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload applied in place moves the local store and the escrow to a new budget tree: counters
 * carried by node id, every open set settled (unspent escrow back, sent bytes counted once),
 * accounts held by connections repointed to the new caps, and a removed path never refilled.
 */
class EscrowRetreeTest {

  @TempDir Path dir;

  /** The fixture's tree with acme's day cap {@code acmeDay} and without tenant beta. */
  private static BudgetTree reloaded(long acmeDay) {
    return BudgetTree.builder(
            List.of(new Limit(Window.DAY, 1_000_000), new Limit(Window.LIFETIME, 10_000_000)))
        .zone("inference", List.of(new Limit(Window.DAY, 600_000)))
        .tenant(
            "inference",
            "acme",
            List.of(new Limit(Window.DAY, acmeDay), new Limit(Window.MONTH, 2_000_000)))
        .zone("employee", List.of())
        .tenant("employee", "default", List.of(new Limit(Window.DAY, 300_000)))
        .destination("employee", "*.corp.example", List.of(new Limit(Window.DAY, 200_000)))
        .build();
  }

  private static long usage(LocalBudgetStore s, String node, boolean sent) {
    var u = s.usage(s.tree().node(node), Window.DAY);
    return sent ? u.sent() : u.spent();
  }

  @Test
  void countersCarryOverHeldEscrowIsReturnedAndTheNewCapBindsTheSameAccount() throws Exception {
    StoreFixture f = new StoreFixture(dir);
    try (LocalBudgetStore store = f.open();
        Escrow escrow = new Escrow(store, f.clock, 25, StoreFixture.TTL)) {
      EscrowAccount acme = escrow.account(f.tree.path("inference", "acme", null));
      EscrowAccount beta = escrow.account(f.tree.path("inference", "beta", null));
      assertThat(acme.refill(50_000).join().kind()).isEqualTo(Outcome.Kind.GRANTED);
      assertThat(beta.refill(20_000).join().kind()).isEqualTo(Outcome.Kind.GRANTED);
      assertThat(acme.tryCharge(30_000)).isEqualTo(EscrowAccount.CHARGED);
      assertThat(beta.tryCharge(7_000)).isEqualTo(EscrowAccount.CHARGED);
      long siteSpentBefore = usage(store, "site", false);
      assertThat(siteSpentBefore).isGreaterThan(37_000); // escrow held counts as spent

      BudgetTree next = reloaded(40_000);
      store.retree(next);
      escrow.retree(next, Duration.ofSeconds(5));

      // Held escrow went back: spent is now exactly what was charged, on kept nodes.
      assertThat(usage(store, "tenant:inference/acme", false)).isEqualTo(30_000);
      assertThat(usage(store, "tenant:inference/acme", true)).isEqualTo(30_000);
      assertThat(usage(store, "site", false)).isEqualTo(37_000);
      assertThat(usage(store, "zone:inference", true)).isEqualTo(37_000);
      assertThat(store.tree()).isSameAs(next);
      assertThat(store.tree().node("tenant:inference/beta")).isNull();
      assertThat(store.openSets()).isEmpty();

      // The account a connection holds pays the new cap: 10_000 left of 40_000.
      assertThat(acme.tryCharge(1)).isEqualTo(EscrowAccount.EXPIRED);
      // It is on the new tree's path: a store that reads caps from the path (etcd) sees 40_000.
      assertThat(acme.path().node(2)).isSameAs(next.node("tenant:inference/acme"));
      assertThat(acme.refill(10_000).join().kind()).isEqualTo(Outcome.Kind.GRANTED);
      assertThat(acme.tryCharge(10_000)).isEqualTo(EscrowAccount.CHARGED);
      Outcome over = acme.refill(1).join();
      assertThat(over.kind()).isEqualTo(Outcome.Kind.DENIED);
      assertThat(over.denial().nodeId()).isEqualTo("tenant:inference/acme");
      // A path of the old tree (a connection accepted before) is the same account.
      assertThat(escrow.account(f.tree.path("inference", "acme", null))).isSameAs(acme);

      // Beta was removed: never refilled again, and nothing is charged on it.
      assertThat(beta.tryCharge(1)).isNotEqualTo(EscrowAccount.CHARGED);
      Outcome gone = beta.refill(1).join();
      assertThat(gone.kind()).isEqualTo(Outcome.Kind.UNAVAILABLE);
      assertThat(gone.reason()).contains("removed by a configuration reload");
      assertThat(escrow.account(f.tree.path("inference", "beta", null)).refill(1).join().kind())
          .isEqualTo(Outcome.Kind.UNAVAILABLE);
    }
    // The carried counters are what the ledger says: a restart on the new tree agrees.
    StoreFixture again = new StoreFixture(dir, f.clock, reloaded(40_000));
    try (LocalBudgetStore store = again.open()) {
      assertThat(usage(store, "tenant:inference/acme", false)).isEqualTo(40_000);
      assertThat(usage(store, "site", true)).isEqualTo(47_000);
      assertThat(store.stranded().sets()).isZero();
    }
  }
}
