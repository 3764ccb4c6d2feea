package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.admin.AdminFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice status | halt | resume} against a running admin server. */
class AdminCommandsTest {

  @TempDir Path dir;
  AdminFixture f;
  String admin;
  String tokenFile;

  @BeforeEach
  void start() throws Exception {
    f = new AdminFixture(dir.resolve("data"));
    admin = f.adminAddress();
    tokenFile = f.server.tokenFile().toString();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** A configuration file for the running node: the fixture's, with its real admin port. */
  Path configFile() throws IOException {
    String yaml =
        AdminFixture.quickstartYaml(f.dataDir)
            .replace("admin:\n  bind: 127.0.0.1:0", "admin:\n  bind: " + admin);
    assertThat(yaml).contains("bind: " + admin);
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void statusPrintsEveryLimitInHumanUnitsAndBytes() throws Exception {
    f.charge("inference", "acme", 300_000);

    CliRun r = CliRun.of("status", "--admin", admin);

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .startsWith("site quickstart, mode enforce\nnot halted\nstore local:")
        .doesNotContain("GATEWAY NODE")
        .doesNotContain("REPORT MODE")
        .contains(
            "\negress 0 B/s; at this rate the weights (810 GB) leave in never, their smallest"
                + " useful copy (50.6 GB, 1/16 weights) in never\n")
        .containsPattern(
            "NODE\\s+WINDOW\\s+CAP\\s+SPENT\\s+SENT\\s+HELD\\s+REMAINING\\s+RESETS AT"
                + "\\s+AT CAP: WEIGHTS LEAVE IN\\s+COPY LEAVES IN\n")
        .containsPattern(
            "\nsite\\s+day\\s+810 MB \\(810,000,000\\)\\s+4.19 MB \\(4,194,304\\)"
                + "\\s+300 KB \\(300,000\\)\\s+3.89 MB \\(3,894,304\\)\\s+806 MB \\(805,805,696\\)"
                + "\\s+2026-11-23T00:00:00Z"
                + "\\s+1,000 days\\s+62.5 days\n")
        .containsPattern(
            "\n\\s+lifetime\\s+40.5 TB \\(40,500,000,000,000\\).*never\\s+no bound\\s+no bound\n")
        .containsPattern("\ntenant:inference/acme\\s+day\\s+200 MB \\(200,000,000\\)\\s+4.19 MB")
        .containsPattern(
            "\n\\s+month\\s+3 GB \\(3,000,000,000\\).*2026-12-01T00:00:00Z\\s+[0-9,.]+ days\\s+[0-9,.]+ days\n")
        .containsPattern(
            "\ndest:employee/\\*.corp.example\\s+day\\s+200 MB \\(200,000,000\\)\\s+0 B")
        .contains(
            "\nSPENT = SENT + HELD. SENT: bytes that left. HELD: escrow a gateway node took from"
                + " the budget before sending");
  }

  @Test
  void statusJsonIsTheApisJson() throws Exception {
    f.charge("inference", "acme", 1_000);
    CliRun r = CliRun.of("status", "--json", "--admin", admin);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(f.get("/api/budgets").body() + System.lineSeparator());
  }

  @Test
  void haltAndResumeFindTheNodeThroughTheConfiguration() throws Exception {
    Path config = configFile();

    CliRun halt =
        CliRun.of(
            "halt", "--config", config.toString(), "--zone", "inference", "--reason", "drill");
    assertThat(halt.exitCode()).as(halt.err()).isZero();
    assertThat(halt.out())
        .matches("halted inference: drill \\(since 2026-11-22T10:00:00Z; ledger entry \\d+\\)\n");
    assertThat(f.halts.zone("inference").on()).isTrue();

    CliRun again = CliRun.of("halt", "--config", config.toString(), "--zone", "inference");
    assertThat(again.exitCode()).isZero();
    assertThat(again.out())
        .isEqualTo("inference was already halted since 2026-11-22T10:00:00Z: drill\n");

    CliRun status = CliRun.of("status", "--config", config.toString());
    assertThat(status.out()).contains("\nHALTED inference since 2026-11-22T10:00:00Z: drill\n");

    CliRun resume = CliRun.of("resume", "--config", config.toString(), "--zone", "inference");
    assertThat(resume.exitCode()).as(resume.err()).isZero();
    assertThat(resume.out()).matches("resumed inference \\(ledger entry \\d+\\)\n");
    assertThat(f.halts.active()).isEmpty();
  }

  @Test
  void aSiteHaltIsReportedWhenResumingAZone() throws Exception {
    CliRun halt = CliRun.of("halt", "--admin", admin, "--token-file", tokenFile);
    assertThat(halt.exitCode()).as(halt.err()).isZero();
    assertThat(halt.out())
        .startsWith("halted site: halted through the admin API (no reason given)");

    CliRun resume =
        CliRun.of("resume", "--admin", admin, "--token-file", tokenFile, "--zone", "employee");
    assertThat(resume.exitCode()).isZero();
    assertThat(resume.out())
        .isEqualTo(
            "employee was not halted\nstill HALTED site since 2026-11-22T10:00:00Z:"
                + " halted through the admin API (no reason given)\n");
    assertThat(f.halts.site().on()).isTrue();
  }

  @Test
  void reportModeIsFlagged() throws Exception {
    f.close();
    f = new AdminFixture(dir.resolve("report"), y -> y.replace("mode: enforce", "mode: report"));
    CliRun r = CliRun.of("status", "--admin", f.adminAddress());
    assertThat(r.out())
        .startsWith(
            "site quickstart, mode report\n!! REPORT MODE: budgets are NOT enforced;"
                + " over-budget bytes leave and are only recorded as would_deny !!\n");
  }

  @Test
  void aNonLoopbackAdminBindIsFlagged() throws Exception {
    assertThat(CliRun.of("status", "--admin", admin).out()).doesNotContain("ADMIN API EXPOSED");
    f.close();
    f =
        new AdminFixture(
            dir.resolve("exposed"),
            y ->
                y.replace(
                    "admin:\n  bind: 127.0.0.1:0",
                    "admin:\n  bind: 0.0.0.0:0\n  plaintext_on_network: true"));
    String at = "127.0.0.1:" + f.server.address().getPort();
    CliRun r = CliRun.of("status", "--admin", at);
    assertThat(r.out())
        .startsWith(
            "site quickstart, mode enforce\n!! ADMIN API EXPOSED: admin.bind 0.0.0.0:0 is not"
                + " loopback and speaks plain HTTP (no TLS);");
    assertThat(f.get("/api/budgets").body())
        .contains("\"admin\":{\"bind\":\"0.0.0.0:0\",\"tls\":false,\"exposed\":true}");
  }

  @Test
  void anUnknownZoneIsExit2WithTheServersMessage() {
    CliRun r = CliRun.of("halt", "--admin", admin, "--token-file", tokenFile, "--zone", "nope");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo("error: unknown zone 'nope'; the zones are inference, employee\n");
    assertThat(f.halts.active()).isEmpty();
  }

  @Test
  void aWrongTokenIsExit1AndAMissingTokenFileExit3() throws IOException {
    Path wrong = dir.resolve("wrong.token");
    Files.writeString(wrong, "0".repeat(64) + "\n");
    CliRun r = CliRun.of("halt", "--admin", admin, "--token-file", wrong.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: wrong admin token");

    Path missing = dir.resolve("missing.token");
    CliRun m = CliRun.of("resume", "--admin", admin, "--token-file", missing.toString());
    assertThat(m.exitCode()).isEqualTo(3);
    assertThat(m.err())
        .isEqualTo(
            "error: no admin token at "
                + missing
                + ": is `sluice run` running with this configuration? (or pass --token-file)\n");
    assertThat(f.halts.active()).isEmpty();
  }

  @Test
  void nobodyListeningIsOneClearLineAndExit3() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    for (String cmd : new String[] {"status", "halt", "resume"}) {
      CliRun r = CliRun.of(cmd, "--admin", "127.0.0.1:" + port, "--token-file", tokenFile);
      assertThat(r.exitCode()).as(cmd).isEqualTo(3);
      assertThat(r.out()).isEmpty();
      assertThat(r.err())
          .isEqualTo(
              "error: no sluice admin API at 127.0.0.1:" + port + ": is `sluice run` running?\n");
    }
  }

  @Test
  void badOptionsAreExit2() throws IOException {
    CliRun r = CliRun.of("status", "--admin", "localhost");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: --admin localhost: missing port");

    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "site: [\n");
    CliRun c = CliRun.of("status", "--config", broken.toString());
    assertThat(c.exitCode()).isEqualTo(2);
    assertThat(c.err()).startsWith("error: the configuration is not valid:\n" + broken);

    Path portZero = dir.resolve("zero.yaml");
    Files.writeString(portZero, AdminFixture.quickstartYaml(f.dataDir));
    CliRun z = CliRun.of("status", "--config", portZero.toString());
    assertThat(z.exitCode()).isEqualTo(2);
    assertThat(z.err()).contains("admin.bind has port 0");
  }
}
