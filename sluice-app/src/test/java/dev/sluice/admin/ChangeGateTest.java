package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.ledger.ChangeApproval;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.ledger.LedgerReader;
import dev.sluice.ledger.LedgerVerifier;
import dev.sluice.ledger.OperatorKeys;
import dev.sluice.time.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ChangeGate} on a real ledger with a manual clock. */
class ChangeGateTest {

  @TempDir Path dir;
  final ManualClock clock = ManualClock.at("2026-12-06T10:00:00Z");
  final OperatorKeys.Private alice = key("alice", 1);
  final OperatorKeys.Private bob = key("bob", 2);
  final List<SluiceConfig> swapped = new ArrayList<>();
  final List<Runnable> later = new ArrayList<>();
  Ledger ledger;
  String runningText;
  SluiceConfig running;
  ChangeGate gate;

  /** Records what it is asked to apply; the swap itself is NodeRunner's (tested end to end). */
  final ConfigSwap recorder = (next, application) -> swapped.add(next);

  static OperatorKeys.Private key(String name, long seed) {
    byte[] b = new byte[32];
    new Random(seed).nextBytes(b);
    return new OperatorKeys.Private(name, b);
  }

  String yaml(String tenantCap, String extra) {
    return "site: t\n"
        + "model: { name: m, weight_bytes: 1GB }\n"
        + "data_dir: \""
        + dir
        + "\"\n"
        + "budgets:\n"
        + "  limits: [ { window: day, cap: 100MB } ]\n"
        + "  zones:\n"
        + "    z:\n"
        + "      tenants: { default: { limits: [ { window: day, cap: "
        + tenantCap
        + " } ] } }\n"
        + "listeners:\n"
        + "  - { name: api, mode: reverse, bind: 127.0.0.1:0, upstream: http://127.0.0.1:1, zone: z }\n"
        + "admin: { bind: 127.0.0.1:0 }\n"
        + "change_control:\n"
        + "  operators: { alice: \""
        + alice.publicText()
        + "\", bob: \""
        + bob.publicText()
        + "\" }\n"
        + "  approvals: 2\n"
        + extra;
  }

  @BeforeEach
  void open() throws Exception {
    ledger = Ledger.open(LedgerOptions.builder(dir, "sluice/t").build(), clock, null, e -> {});
    runningText = yaml("10MB", "");
    running = ConfigLoader.parse("running.yaml", runningText).orThrow();
    gate = new ChangeGate(running, ledger, clock, recorder);
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  static String sha(String text) {
    return ConfigLoader.sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }

  ChangeApproval approve(OperatorKeys.Private k, String text, Duration valid) {
    return ChangeApproval.sign(
        k,
        ChangeApproval.KIND_CONFIG,
        running.sha256Hex(),
        sha(text),
        clock.millis() / 1000 + valid.toSeconds());
  }

  List<String> changeActions() throws Exception {
    ledger.close();
    List<String> out = new ArrayList<>();
    try (LedgerReader r = LedgerReader.open(dir)) {
      r.forEach(
          e -> {
            LedgerEntry x = e.entry();
            if (x.type() == dev.sluice.ledger.EntryType.CHANGE) {
              out.add(x.getString("action"));
            }
          });
    }
    return out;
  }

  @Test
  void aTighteningAppliesWithoutApprovalsOnlyOnceTheAnswerIsOut() throws Exception {
    ChangeGate.Outcome o = gate.reload("new.yaml", yaml("5MB", ""), List.of(), later::add);
    assertThat(o.status()).isEqualTo(ChangeGate.Status.ACCEPTED);
    assertThat(o.loosens()).isEmpty();
    assertThat(swapped).isEmpty(); // not before the answer is written
    later.forEach(Runnable::run);
    assertThat(swapped).hasSize(1);
    assertThat(swapped.get(0).sha256Hex()).isEqualTo(sha(yaml("5MB", "")));
    assertThat(gate.reload("again.yaml", yaml("4MB", ""), List.of()).status())
        .isEqualTo(ChangeGate.Status.BUSY);
  }

  @Test
  void aLooseningNeedsTwoUnexpiredApprovalsOnTheNodesClock() throws Exception {
    String looser = yaml("20MB", "");
    List<ChangeApproval> both =
        List.of(
            approve(alice, looser, Duration.ofMinutes(10)),
            approve(bob, looser, Duration.ofMinutes(1)));
    clock.advance(Duration.ofMinutes(1));
    ChangeGate.Outcome late = gate.reload("new.yaml", looser, both);
    assertThat(late.status()).isEqualTo(ChangeGate.Status.APPROVALS_REQUIRED);
    assertThat(late.loosens())
        .containsExactly(
            "budgets.zones.z.tenants.default.limits day: 10 MB -> 20 MB (raises a cap)");
    assertThat(late.details()).containsExactly("approval by bob expired at 2026-12-06T10:01:00Z");
    assertThat(swapped).isEmpty();

    List<ChangeApproval> fresh =
        List.of(
            approve(alice, looser, Duration.ofMinutes(10)),
            approve(bob, looser, Duration.ofMinutes(10)));
    ChangeGate.Outcome ok = gate.reload("new.yaml", looser, fresh);
    assertThat(ok.status()).isEqualTo(ChangeGate.Status.ACCEPTED);
    assertThat(ok.approvedBy()).containsExactly("alice", "bob");
    assertThat(swapped).hasSize(1);
    assertThat(changeActions())
        .containsExactly("proposal", "approval", "refusal", "proposal", "approval", "approval");
    assertThat(LedgerVerifier.verify(dir).problem()).isNull();
  }

  @Test
  void anInvalidFileAndARestartOnlyChangeAreRefusedAndLedgered() throws Exception {
    ChangeGate.Outcome bad = gate.reload("bad.yaml", yaml("10MB", "mode: loose\n"), List.of());
    assertThat(bad.status()).isEqualTo(ChangeGate.Status.INVALID);
    assertThat(bad.details()).singleElement().asString().contains("mode").contains("loose");
    String moved = yaml("10MB", "").replace("data_dir: \"" + dir, "data_dir: \"" + dir + "/x");
    ChangeGate.Outcome restart = gate.reload("moved.yaml", moved, List.of());
    assertThat(restart.status()).isEqualTo(ChangeGate.Status.RESTART_REQUIRED);
    assertThat(restart.details()).containsExactly("data_dir differs");
    assertThat(gate.reload("same.yaml", runningText, List.of()).status())
        .isEqualTo(ChangeGate.Status.UNCHANGED);
    assertThat(swapped).isEmpty();
    assertThat(changeActions()).containsExactly("refusal", "refusal");
  }
}
