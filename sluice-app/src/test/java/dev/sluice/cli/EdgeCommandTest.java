package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage and start-up errors of {@code sluice edge}: exit code and one clear line. */
class EdgeCommandTest {

  @TempDir Path dir;

  @Test
  void bothAddressesAreRequired() {
    CliRun r = CliRun.of("edge", "--listen", "127.0.0.1:0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--gateway");
  }

  @Test
  void aBadAddressIsExit2() {
    CliRun r = CliRun.of("edge", "--listen", "nowhere", "--gateway", "127.0.0.1:1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("sluice edge: ");
  }

  @Test
  void tlsNeedsTheGatewaysCa() {
    CliRun r = CliRun.of("edge", "--listen", "127.0.0.1:0", "--gateway", "127.0.0.1:1", "--tls");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--tls needs --tls-ca FILE");
    CliRun noTls =
        CliRun.of(
            "edge", "--listen", "127.0.0.1:0", "--gateway", "127.0.0.1:1", "--tls-ca", "ca.pem");
    assertThat(noTls.exitCode()).isEqualTo(2);
    assertThat(noTls.err()).contains("need --tls");
  }

  @Test
  void aModelThatCannotBeReadIsExit3NamingTheFile() {
    Path missing = dir.resolve("missing.model");
    CliRun r =
        CliRun.of(
            "edge",
            "--listen",
            "127.0.0.1:0",
            "--gateway",
            "127.0.0.1:1",
            "--model",
            missing.toString());
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.err())
        .contains("sluice edge: --model " + missing + ": cannot load the codec model");
  }
}
