package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.admin.AdminFixture;
import dev.sluice.gateway.forward.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice status | halt | resume} against an admin API with {@code admin.tls} (issue 15):
 * HTTPS trusting the configured certificate or {@code --admin-ca}, a clear error for a certificate
 * the CLI does not trust and for plain HTTP to the TLS port.
 */
class AdminTlsCommandsTest {

  @TempDir Path dir;
  Path cert;
  Path key;
  AdminFixture f;
  String at;

  @BeforeEach
  void start() throws Exception {
    Path certDir = Files.createDirectories(dir.resolve("certs"));
    cert = certDir.resolve("admin.pem");
    key = certDir.resolve("admin.key");
    TestCertificates.selfSigned(certDir, "localhost", "127.0.0.1").writePem(cert, key);
    f = new AdminFixture(dir.resolve("data"), y -> tls(y, "0.0.0.0:0"));
    at = "127.0.0.1:" + f.server.address().getPort();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private String tls(String yaml, String bind) {
    String admin =
        "admin:\n  bind: " + bind + "\n  tls: { cert: \"" + cert + "\", key: \"" + key + "\" }";
    String edited = yaml.replace("admin:\n  bind: 127.0.0.1:0", admin);
    assertThat(edited).contains(admin);
    return edited;
  }

  /** The running node's configuration file: admin.tls, and its real port on every address. */
  private Path configFile() throws Exception {
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(
        file,
        tls(AdminFixture.quickstartYaml(f.dataDir), "0.0.0.0:" + f.server.address().getPort()));
    return file;
  }

  @Test
  void statusHaltAndResumeFindTheTlsAdminApiThroughTheConfiguration() throws Exception {
    String config = configFile().toString();

    CliRun status = CliRun.of("status", "--config", config);
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out())
        .startsWith("site quickstart, mode enforce\nnot halted\nstore local:")
        .contains("\nadmin API on 0.0.0.0:0, HTTPS (admin.tls)\n")
        .doesNotContain("ADMIN API EXPOSED");

    CliRun halt = CliRun.of("halt", "--config", config, "--reason", "over tls");
    assertThat(halt.exitCode()).as(halt.err()).isZero();
    assertThat(halt.out()).startsWith("halted site: over tls (since ");
    assertThat(f.halts.active()).hasSize(1);

    CliRun resume = CliRun.of("resume", "--config", config);
    assertThat(resume.exitCode()).as(resume.err()).isZero();
    assertThat(resume.out()).startsWith("resumed site");
    assertThat(f.halts.active()).isEmpty();
  }

  @Test
  void adminCaTrustsTheCertificateAtAnExplicitAddress() {
    CliRun r =
        CliRun.of(
            "halt",
            "--admin",
            at,
            "--admin-ca",
            cert.toString(),
            "--token-file",
            f.server.tokenFile().toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(f.halts.active()).hasSize(1);
  }

  @Test
  void aCertificateTheCliDoesNotTrustIsAClearError() throws Exception {
    Path otherDir = Files.createDirectories(dir.resolve("other"));
    Path other = otherDir.resolve("other.pem");
    TestCertificates.selfSigned(otherDir, "localhost", "127.0.0.1")
        .writePem(other, otherDir.resolve("other.key"));

    CliRun r = CliRun.of("status", "--admin", at, "--admin-ca", other.toString());

    assertThat(r.exitCode()).isEqualTo(SluiceCli.EXIT_IO);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .startsWith(
            "error: the admin API at "
                + at
                + " presented a certificate that --admin-ca "
                + other
                + " does not vouch for: ")
        .contains("(trust the CA that signed admin.tls.cert with --admin-ca");
  }

  @Test
  void plainHttpToTheTlsPortSaysHowToUseTls() {
    CliRun r = CliRun.of("status", "--admin", at);
    assertThat(r.exitCode()).isEqualTo(SluiceCli.EXIT_IO);
    assertThat(r.err())
        .startsWith("error: talking to the admin API at " + at + " over plain HTTP failed: ")
        .contains(
            "(if the node has admin.tls, pass --config with its configuration or --admin-ca)");
  }

  @Test
  void anUnreadableAdminCaIsABadOption() {
    Path missing = dir.resolve("nope.pem");
    CliRun r = CliRun.of("status", "--admin", at, "--admin-ca", missing.toString());
    assertThat(r.exitCode()).isEqualTo(SluiceCli.EXIT_USAGE);
    assertThat(r.err()).isEqualTo("error: --admin-ca " + missing + ": no such file\n");
  }
}
