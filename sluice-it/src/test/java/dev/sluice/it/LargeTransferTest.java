package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ConfigLoader;
import dev.sluice.demo.DemoOptions;
import dev.sluice.it.CorpusAnswers.Split;
import dev.sluice.ledger.ChangeApproval;
import dev.sluice.ledger.OperatorKeys;
import dev.sluice.time.Clock;
import dev.sluice.transfer.TransferAllowance;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large transfers with real processes and real CLI invocations (issue 16, point 4): a response
 * above the zone's {@code max_transfer} is refused with a JSON error naming the commands; two
 * operators approve the transfer with {@code sluice change approve-transfer}, {@code sluice
 * transfer allow} registers it, and the same request goes through, charged; an expired approval is
 * refused; {@code ledger verify} re-checks the recorded signatures.
 */
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LargeTransferTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private ReplayUpstream upstream;
  private SluiceProcess sluice;

  @AfterEach
  void stop() {
    if (sluice != null) {
      sluice.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private SluiceCommand.Result cli(String... args) throws Exception {
    return SluiceCommand.run(dir, args);
  }

  /** {@code args} plus the running node's admin address and token. */
  private SluiceCommand.Result admin(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    InetSocketAddress a = sluice.admin();
    all.addAll(
        List.of(
            "--admin",
            a.getHostString() + ":" + a.getPort(),
            "--token-file",
            dir.resolve("data/admin.token").toString()));
    return cli(all.toArray(String[]::new));
  }

  private String keygen(String name) throws Exception {
    SluiceCommand.Result r =
        cli("operator", "keygen", "--name", name, "--out", dir.resolve("keys").toString());
    assertThat(r.exitCode()).as(r.describe()).isZero();
    return Files.readString(dir.resolve("keys/" + name + ".pub")).strip();
  }

  private SluiceCommand.Result approveTransfer(Path running, String op) throws Exception {
    return cli(
        "change",
        "approve-transfer",
        "--config",
        running.toString(),
        "--tenant",
        "acme",
        "--destination",
        "/v1/*",
        "--size",
        "1MB",
        "--expires",
        "10m",
        "--key",
        dir.resolve("keys/" + op + ".key").toString(),
        "--out",
        dir.resolve(op + ".approval").toString());
  }

  @Test
  void aTransferAboveMaxTransferGoesThroughOnceTwoOperatorsApproveIt() throws Exception {
    upstream =
        ReplayUpstream.start(
            CorpusAnswers.load(CorpusAnswers.ARENA_HARD, Split.TEST).subList(0, 4),
            DemoOptions.defaults());
    String alice = keygen("alice");
    String bob = keygen("bob");
    String yaml =
        TestConfig.in(dir.resolve("data"))
                .tenant("acme", "day", "1MB")
                .reverse("api", upstream.rootUrl())
                .yaml()
                .replace("    inference:\n", "    inference:\n      max_transfer: 200\n")
            + "change_control:\n  operators: { alice: \""
            + alice
            + "\", bob: \""
            + bob
            + "\" }\n  approvals: 2\n";
    assertThat(yaml).contains("max_transfer: 200");
    Path running = Files.writeString(dir.resolve("sluice.yaml"), yaml);
    sluice = SluiceProcess.start(running, dir);

    RawHttp.Response refused =
        RawHttp.exchange(sluice.listener("api"), RawHttp.chat("acme", 0, false), WAIT);
    assertThat(refused.status()).isEqualTo(413);
    assertThat(refused.bodyText())
        .contains("\"type\":\"transfer_too_large\"")
        .contains("sluice change approve-transfer")
        .contains("sluice transfer allow");

    // One operator is not enough.
    SluiceCommand.Result a = approveTransfer(running, "alice");
    assertThat(a.exitCode()).as(a.describe()).isZero();
    String approvalA = dir.resolve("alice.approval").toString();
    SluiceCommand.Result one = admin("transfer", "allow", "--approval", approvalA);
    assertThat(one.exitCode()).as(one.describe()).isEqualTo(1);
    assertThat(one.stderr()).contains("needs approvals from 2 distinct operators; it has 1");

    // An expired approval by bob (signed with his real key) does not count.
    OperatorKeys.Private bobKey =
        OperatorKeys.parsePrivate(
            Files.readString(dir.resolve("keys/bob.key"), StandardCharsets.US_ASCII));
    ChangeApproval expired =
        ChangeApproval.sign(
            bobKey,
            ChangeApproval.KIND_TRANSFER,
            ConfigLoader.sha256Hex(Files.readAllBytes(running)),
            TransferAllowance.subject("inference", "acme", 1_000_000, "/v1/*"),
            Clock.system().millis() / 1000 - 60);
    Path expiredFile = Files.writeString(dir.resolve("expired.approval"), expired.encode());
    SluiceCommand.Result stale =
        admin("transfer", "allow", "--approval", approvalA, "--approval", expiredFile.toString());
    assertThat(stale.exitCode()).as(stale.describe()).isEqualTo(1);
    assertThat(stale.stderr()).contains("approval by bob expired at");
    assertThat(
            RawHttp.exchange(sluice.listener("api"), RawHttp.chat("acme", 0, false), WAIT).status())
        .isEqualTo(413);

    SluiceCommand.Result b = approveTransfer(running, "bob");
    assertThat(b.exitCode()).as(b.describe()).isZero();
    SluiceCommand.Result two =
        admin(
            "transfer",
            "allow",
            "--approval",
            approvalA,
            "--approval",
            dir.resolve("bob.approval").toString());
    assertThat(two.exitCode()).as(two.describe()).isZero();
    assertThat(two.stdout())
        .contains("allowed inference,acme,1000000,/v1/*")
        .contains("approved by alice")
        .contains("approved by bob");

    RawHttp.Response through =
        RawHttp.exchange(sluice.listener("api"), RawHttp.chat("acme", 0, false), WAIT);
    assertThat(through.status()).isEqualTo(200);
    assertThat(through.raw().length).isGreaterThan(200);

    sluice.sigterm();
    SluiceCommand.Result verify = cli("ledger", "verify", dir.resolve("data").toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    SluiceCommand.Result tail =
        cli("ledger", "tail", "-n", "200", "--json", dir.resolve("data").toString());
    assertThat(tail.stdout().lines().toList())
        .anyMatch(l -> l.contains("\"reason\":\"transfer_too_large\""))
        .anyMatch(
            l ->
                l.contains("\"action\":\"application\"")
                    && l.contains("\"kind\":\"transfer\"")
                    && l.contains("alice")
                    && l.contains("bob"));
  }
}
