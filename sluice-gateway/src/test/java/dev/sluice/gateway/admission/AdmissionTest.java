package dev.sluice.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one admission stage, in every listener mode, on an {@link EmbeddedChannel}'s event loop:
 * granted from escrow, denied for each reason it decides (spent budget, site and zone halt, store
 * unavailable) with the same evidence whatever the mode, and in report mode let through with one
 * {@code would_deny} entry.
 */
class AdmissionTest {

  @TempDir Path dir;

  /** What the stage decided, as seen by the caller. */
  private static final class Seen implements Admission.Verdict {
    boolean granted;
    Refusal denied;
    boolean abandoned;

    @Override
    public void granted() {
      granted = true;
    }

    @Override
    public void denied(Refusal r) {
      denied = r;
    }

    @Override
    public void abandoned() {
      abandoned = true;
    }

    boolean decided() {
      return granted || denied != null || abandoned;
    }
  }

  /**
   * Admits and runs the channel's event loop until the verdict arrived (the store answers async).
   */
  private static Seen admit(
      ListenerFixture f, EmbeddedChannel ch, ConnectionRecord rec, String tenant, long need)
      throws InterruptedException {
    Seen seen = new Seen();
    new Admission(f.lc).admit(ch, rec, tenant, f.lc.account(tenant), need, seen);
    for (int i = 0; i < 1000 && !seen.decided(); i++) {
      ch.runPendingTasks();
      if (!seen.decided()) {
        Thread.sleep(5);
      }
    }
    return seen;
  }

  @ParameterizedTest
  @ValueSource(strings = {"reverse", "forward", "tcp"})
  void grantsWhatTheBudgetPaysAndRecordsNothing(String mode) throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, mode, "enforce")) {
      EmbeddedChannel ch = new EmbeddedChannel();
      ConnectionRecord rec = f.record();
      Seen first = admit(f, ch, rec, "default", 100);
      assertThat(first.granted).isTrue();
      // The second admission is paid from the escrow the first one brought: no store round trip.
      Seen second = new Seen();
      new Admission(f.lc).admit(ch, rec, "default", f.lc.account("default"), 100, second);
      assertThat(second.granted).isTrue();
      assertThat(rec.decision()).isEqualTo(ConnectionRecord.Decision.ALLOW);
      assertThat(f.closeAndRead(EntryType.DENY)).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"reverse", "forward", "tcp"})
  void deniesASpentBudgetWithItsEvidence(String mode) throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, mode, "enforce")) {
      EmbeddedChannel ch = new EmbeddedChannel();
      ConnectionRecord rec = f.record();
      Seen seen = admit(f, ch, rec, "small", 4096);
      assertThat(seen.granted).isFalse();
      assertThat(seen.denied.reason()).isEqualTo(Reason.BUDGET_EXHAUSTED);
      assertThat(seen.denied.denial().nodeId()).isEqualTo("tenant:inference/small");
      assertThat(rec.decision()).isEqualTo(ConnectionRecord.Decision.DENY);
      assertThat(rec.reason()).isEqualTo("egress_budget_exhausted");
      assertThat(f.stats.denials().get("egress_budget_exhausted").sum()).isEqualTo(1);
      List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
      assertThat(denies).hasSize(1);
      assertThat(denies.get(0).getString("listener")).isEqualTo(mode);
      assertThat(denies.get(0).getString("tenant")).isEqualTo("small");
      assertThat(denies.get(0).getString("reason")).isEqualTo("egress_budget_exhausted");
      assertThat(denies.get(0).has("would_deny")).isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"reverse", "forward", "tcp"})
  void reportModeLetsASpentBudgetThroughAndRecordsWouldDenyOnce(String mode) throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, mode, "report")) {
      EmbeddedChannel ch = new EmbeddedChannel();
      ConnectionRecord rec = f.record();
      Seen seen = admit(f, ch, rec, "small", 4096);
      assertThat(seen.granted).isTrue();
      assertThat(seen.denied).isNull();
      assertThat(rec.decision()).isEqualTo(ConnectionRecord.Decision.ALLOW);
      assertThat(f.stats.denials().get("would_deny").sum()).isEqualTo(1);
      List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
      assertThat(denies).hasSize(1);
      assertThat(denies.get(0).getString("listener")).isEqualTo(mode);
      assertThat(denies.get(0).getString("reason")).isEqualTo("egress_budget_exhausted");
      assertThat(denies.get(0).getLong("would_deny")).isEqualTo(1L);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"reverse", "forward", "tcp"})
  void aHaltDeniesAtOnceEvenWithEscrowAndInReportMode(String mode) throws Exception {
    for (String scope : List.of("site", "inference")) {
      try (ListenerFixture f = new ListenerFixture(dir.resolve(scope), mode, "report")) {
        EmbeddedChannel ch = new EmbeddedChannel();
        assertThat(admit(f, ch, f.record(), "default", 1).granted).isTrue();
        f.halts.halt(scope.equals("site") ? null : scope, "drill", f.clock.millis());
        ConnectionRecord rec = f.record();
        Seen seen = new Seen();
        new Admission(f.lc).admit(ch, rec, "default", f.lc.account("default"), 1, seen);
        assertThat(seen.denied).as(scope).isNotNull();
        assertThat(seen.denied.reason()).isEqualTo(Reason.HALTED);
        assertThat(seen.denied.halt().scope()).isEqualTo(scope);
        assertThat(rec.reason()).isEqualTo("egress_halted");
        List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
        assertThat(denies).extracting(e -> e.getString("reason")).containsExactly("egress_halted");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"reverse", "forward", "tcp"})
  void anUnavailableStoreFailsClosed(String mode) throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, mode, "enforce")) {
      EmbeddedChannel ch = new EmbeddedChannel();
      ConnectionRecord rec = f.record();
      f.closeStore();
      Seen seen = admit(f, ch, rec, "default", 1);
      assertThat(seen.granted).isFalse();
      assertThat(seen.denied.reason()).isEqualTo(Reason.STORE_UNAVAILABLE);
      assertThat(rec.decision()).isEqualTo(ConnectionRecord.Decision.DENY);
      assertThat(rec.reason()).isEqualTo("budget_store_unavailable");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"reverse", "forward", "tcp"})
  void aClientGoneBeforeTheStoreAnsweredIsAbandonedNotDenied(String mode) throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, mode, "enforce")) {
      EmbeddedChannel ch = new EmbeddedChannel();
      // EmbeddedChannel runs queued tasks before it closes: close first, then let the store answer.
      ch.close();
      ConnectionRecord rec = f.record();
      Seen seen = admit(f, ch, rec, "small", 4096);
      assertThat(seen.abandoned).isTrue();
      assertThat(seen.denied).isNull();
      assertThat(rec.decision()).isEqualTo(ConnectionRecord.Decision.ALLOW);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"reverse", "forward", "tcp"})
  void aVerdictThatThrowsClosesTheClientInsteadOfUnwinding(String mode) throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, mode, "enforce")) {
      EmbeddedChannel ch = new EmbeddedChannel();
      ConnectionRecord rec = f.record();
      admit(f, ch, rec, "default", 1); // escrow in hand: the next verdict runs synchronously
      new Admission(f.lc)
          .admit(
              ch,
              rec,
              "default",
              f.lc.account("default"),
              1,
              new Admission.Verdict() {
                @Override
                public void granted() {
                  throw new IllegalStateException("boom");
                }

                @Override
                public void denied(Refusal r) {}
              });
      assertThat(ch.isOpen()).isFalse();
      assertThat(rec.decision()).isEqualTo(ConnectionRecord.Decision.ERROR);
      assertThat(rec.reason()).isEqualTo("internal_error");
    }
  }
}
