package dev.sluice.config.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ChangeControlConfig;
import dev.sluice.ledger.ChangeApproval;
import dev.sluice.ledger.OperatorKeys;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ApprovalsTest {

  static final String RUNNING = "a".repeat(64);
  static final String NEW = "b".repeat(64);
  static final long NOW = 1_800_000_000_000L;
  static final long LATER = NOW / 1000 + 3600;

  /** A key from a seeded generator, so the test is repeatable. */
  static OperatorKeys.Private key(String name, long seed) {
    byte[] b = new byte[32];
    new Random(seed).nextBytes(b);
    return new OperatorKeys.Private(name, b);
  }

  final OperatorKeys.Private alice = key("alice", 1);
  final OperatorKeys.Private bob = key("bob", 2);
  final OperatorKeys.Private mallory = key("mallory", 3);
  final ChangeControlConfig twoOfTwo = control(2, alice, bob);

  static ChangeControlConfig control(int approvals, OperatorKeys.Private... keys) {
    Map<String, String> ops = new LinkedHashMap<>();
    for (OperatorKeys.Private k : keys) {
      ops.put(k.name(), k.publicText());
    }
    return new ChangeControlConfig(ops, approvals);
  }

  ChangeApproval approve(OperatorKeys.Private k) {
    return ChangeApproval.sign(k, ChangeApproval.KIND_CONFIG, RUNNING, NEW, LATER);
  }

  Approvals.Verdict check(List<ChangeApproval> given, long now) {
    return Approvals.check(twoOfTwo, ChangeApproval.KIND_CONFIG, RUNNING, NEW, given, now);
  }

  @Test
  void twoDistinctOperatorsAreEnough() {
    Approvals.Verdict v = check(List.of(approve(alice), approve(bob)), NOW);
    assertThat(v.enough()).isTrue();
    assertThat(v.counted().keySet()).containsExactly("alice", "bob");
    assertThat(v.rejected()).isEmpty();
  }

  @Test
  void oneOperatorTwiceCountsOnce() {
    ChangeApproval again =
        ChangeApproval.sign(alice, ChangeApproval.KIND_CONFIG, RUNNING, NEW, LATER - 1);
    Approvals.Verdict v = check(List.of(approve(alice), again), NOW);
    assertThat(v.enough()).isFalse();
    assertThat(v.rejected())
        .containsExactly(
            "approval by alice is a second approval by alice (each operator counts once)");
  }

  @Test
  void expiredWrongHashStrangersAndForgeriesDoNotCount() {
    ChangeApproval expired =
        ChangeApproval.sign(bob, ChangeApproval.KIND_CONFIG, RUNNING, NEW, NOW / 1000);
    ChangeApproval otherFile =
        ChangeApproval.sign(bob, ChangeApproval.KIND_CONFIG, RUNNING, "c".repeat(64), LATER);
    ChangeApproval otherRunning =
        ChangeApproval.sign(bob, ChangeApproval.KIND_CONFIG, "c".repeat(64), NEW, LATER);
    ChangeApproval stranger = approve(mallory);
    // mallory signs in bob's name
    ChangeApproval forged =
        new ChangeApproval(
            ChangeApproval.KIND_CONFIG,
            "bob",
            RUNNING,
            NEW,
            LATER,
            ChangeApproval.sign(
                    new OperatorKeys.Private("bob", mallory.seed()), "config", RUNNING, NEW, LATER)
                .signature());
    Approvals.Verdict v =
        check(List.of(expired, otherFile, otherRunning, stranger, forged, approve(alice)), NOW);
    assertThat(v.counted().keySet()).containsExactly("alice");
    assertThat(v.enough()).isFalse();
    assertThat(v.rejected())
        .containsExactly(
            "approval by bob expired at 2027-01-15T08:00:00Z",
            "approval by bob approves " + "c".repeat(64) + ", not " + NEW,
            "approval by bob is bound to running configuration "
                + "c".repeat(64)
                + ", not the running "
                + RUNNING,
            "approval by mallory is by mallory, who is not an operator in change_control",
            "approval by bob has a signature that does not verify with bob's key");
  }

  @Test
  void theExpiryIsCheckedWithTheGivenClock() {
    List<ChangeApproval> both = List.of(approve(alice), approve(bob));
    assertThat(check(both, LATER * 1000 - 1).enough()).isTrue();
    assertThat(check(both, LATER * 1000).enough()).isFalse();
  }

  @Test
  void approvalFilesRoundTripAndConcatenate() {
    ChangeApproval a = approve(alice);
    ChangeApproval b = approve(bob);
    assertThat(a.encode())
        .startsWith(
            "sluice-approval-v1\nkind: config\noperator: alice\nrunning: "
                + RUNNING
                + "\nsubject: "
                + NEW
                + "\nexpires: 2027-01-15T09:00:00Z\nsignature: ");
    assertThat(ChangeApproval.parseAll(a.encode() + b.encode())).containsExactly(a, b);
    assertThatThrownBy(() -> ChangeApproval.parseAll(a.encode().replace("kind: config", "kind: x")))
        .hasMessage("approval 1: kind must be config, resume or transfer, got x");
    assertThatThrownBy(() -> ChangeApproval.parseAll(a.encode() + "sluice-approval-v1\n"))
        .hasMessage("approval 2 is cut short: an approval has 7 lines");
  }

  @Test
  void keyFilesRoundTrip() {
    OperatorKeys.Private parsed = OperatorKeys.parsePrivate(alice.encode() + "\n");
    assertThat(parsed.publicText()).isEqualTo(alice.publicText());
    assertThat(alice.publicText()).startsWith("ed25519:").hasSize(8 + 44);
    assertThatThrownBy(() -> OperatorKeys.parsePublic("ed25519:AAAA"))
        .hasMessageContaining("32 bytes, got 3");
  }
}
