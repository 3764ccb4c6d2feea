package dev.sluice.config.change;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ChangeControlConfig;
import dev.sluice.ledger.ChangeApproval;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.ledger.LedgerVerifier;
import dev.sluice.ledger.OperatorKeys;
import dev.sluice.time.ManualClock;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ledger verify} re-checks the signatures of the approvals recorded in CHANGE entries. */
class ChangeLedgerTest {

  @TempDir Path dir;

  final OperatorKeys.Private alice = ApprovalsTest.key("alice", 1);
  final OperatorKeys.Private bob = ApprovalsTest.key("bob", 2);
  final ChangeControlConfig control = ApprovalsTest.control(2, alice, bob);
  final ManualClock clock = ManualClock.at("2027-01-15T08:00:00Z");

  void write(LedgerEntry... entries) throws Exception {
    try (Ledger l =
        Ledger.open(LedgerOptions.builder(dir, "sluice/t").build(), clock, null, e -> {})) {
      for (LedgerEntry e : entries) {
        l.append(e).get();
      }
    }
  }

  LedgerEntry proposal() {
    return ChangeEntries.proposal(
        clock.millis(),
        "config",
        ApprovalsTest.RUNNING,
        ApprovalsTest.NEW,
        "new.yaml",
        List.of("mode: enforce -> report (leaves enforce mode)"),
        control,
        2);
  }

  ChangeApproval approve(OperatorKeys.Private k) {
    return ChangeApproval.sign(
        k, "config", ApprovalsTest.RUNNING, ApprovalsTest.NEW, ApprovalsTest.LATER);
  }

  @Test
  void recordedApprovalsVerify() throws Exception {
    write(
        proposal(),
        ChangeEntries.approval(clock.millis(), approve(alice), alice.publicText()),
        ChangeEntries.approval(clock.millis(), approve(bob), bob.publicText()),
        ChangeEntries.application(
            clock.millis(),
            "config",
            ApprovalsTest.RUNNING,
            ApprovalsTest.NEW,
            List.of("alice", "bob")));
    assertThat(LedgerVerifier.verify(dir).problem()).isNull();
  }

  @Test
  void aSignatureThatDoesNotMatchTheRecordedChangeFails() throws Exception {
    ChangeApproval other =
        ChangeApproval.sign(
            bob, "config", ApprovalsTest.RUNNING, "c".repeat(64), ApprovalsTest.LATER);
    ChangeApproval swapped =
        new ChangeApproval(
            "config",
            "bob",
            ApprovalsTest.RUNNING,
            ApprovalsTest.NEW,
            ApprovalsTest.LATER,
            other.signature());
    write(proposal(), ChangeEntries.approval(clock.millis(), swapped, bob.publicText()));
    assertThat(LedgerVerifier.verify(dir).problem().describe())
        .contains("entry 2")
        .contains("change approval by bob: the signature does not verify");
  }

  @Test
  void aKeyThatIsNotTheProposalsOperatorKeyFails() throws Exception {
    OperatorKeys.Private mallory =
        new OperatorKeys.Private("bob", ApprovalsTest.key("m", 9).seed());
    write(
        proposal(), ChangeEntries.approval(clock.millis(), approve(mallory), mallory.publicText()));
    assertThat(LedgerVerifier.verify(dir).problem().describe())
        .contains("which is not that operator's key in the proposal");
  }
}
