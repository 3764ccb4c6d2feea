package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up errors of {@code sluice run}: non-zero exit and one clear line. */
class RunCommandTest {

  @TempDir Path dir;

  private Path config(String bind, String dataDir, String weights) throws IOException {
    return Files.writeString(
        dir.resolve("sluice.yaml"),
        """
        site: s
        model: { name: m, weight_bytes: %s }
        data_dir: %s
        budgets:
          limits: [ { window: day, cap: 1GB } ]
          zones: { z: { tenants: { default: {} } } }
        listeners:
          - { name: api, mode: reverse, bind: "%s", upstream: "http://127.0.0.1:1", zone: z }
        admin: { bind: "127.0.0.1:0" }
        """
            .formatted(weights, dataDir, bind));
  }

  @Test
  void aTakenPortIsOneLineAndExit3() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String bind = "127.0.0.1:" + taken.getLocalPort();
      CliRun r =
          CliRun.of(
              "run", "--config", config(bind, dir.resolve("data").toString(), "1GB").toString());
      assertThat(r.exitCode()).isEqualTo(3);
      assertThat(r.err().lines().filter(l -> l.startsWith("sluice: ")))
          .containsExactly(
              "sluice: listener api: cannot bind " + bind + ": Address already in use");
    }
  }

  @Test
  void anUnwritableDataDirIsOneLineAndExit3() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    CliRun r =
        CliRun.of("run", "--config", config("127.0.0.1:0", file.toString(), "1GB").toString());
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.err()).contains("sluice: data_dir " + file + " is not a writable directory");
  }

  @Test
  void anInvalidConfigurationPrintsEveryErrorAndExit2() throws IOException {
    CliRun r = CliRun.of("run", "--config", config("127.0.0.1:0", "data", "lots").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("sluice.yaml:2: model.weight_bytes: not a size")
        .contains("sluice: configuration not valid; nothing started");
  }

  @Test
  void aCodecModelThatCannotBeReadIsOneLineNamingTheFileAndExit3() throws IOException {
    Path missing = dir.resolve("no-such.model");
    Path config = config("127.0.0.1:0", dir.resolve("data").toString(), "1GB");
    Files.writeString(config, Files.readString(config) + "codec: { model: \"" + missing + "\" }\n");
    CliRun r = CliRun.of("run", "--config", config.toString());
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.err().lines().filter(l -> l.startsWith("sluice: ")))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .startsWith("sluice: codec.model " + missing + ": cannot load the codec model")
                    .contains("NoSuchFileException"));
  }
}
