package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckConfigCommandTest {

  static Path quickstart() {
    Path p = Path.of("../examples/quickstart.yaml");
    assertThat(p).exists();
    return p;
  }

  @Test
  void quickstartIsValidAndPrintsTheResolvedTree() {
    CliRun r = CliRun.of("check-config", quickstart().toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("valid (0 warnings)")
        .contains("weights 810,000,000,000 bytes (810 GB)")
        .containsPattern("site\\s+day\\s+810,000,000\\s+810 MB\\s+0.1%\\s+1,000 days\\s+62.5 days")
        .contains(
            "smallest useful copy of the weights: 50,625,000,000 bytes (50.625 GB;"
                + " model.smallest_useful_copy 1/16 weights)")
        .contains("SMALLEST USEFUL COPY LEAVES IN")
        .containsPattern("lifetime\\s+40,500,000,000,000\\s+40.5 TB\\s+5000%")
        .containsPattern("tenant:inference/acme\\s+day\\s+200,000,000")
        .containsPattern("month\\s+3,000,000,000\\s+3 GB")
        .contains("dest:employee/*.corp.example");
    assertThat(r.err()).as("issue 18: the quickstart validates without warnings").isEmpty();
  }

  /**
   * Issue 18: every example (an employee zone, an etcd cluster, an edge on loopback, the
   * quickstart) validates without a warning, all checked by one run.
   */
  @Test
  void everyExampleIsValidWithoutWarnings() throws IOException {
    List<String> examples;
    try (Stream<Path> files = Files.list(Path.of("../examples"))) {
      examples =
          files.filter(f -> f.toString().endsWith(".yaml")).map(Path::toString).sorted().toList();
    }
    assertThat(examples)
        .extracting(f -> Path.of(f).getFileName().toString())
        .contains(
            "employee-zone.yaml", "etcd-cluster.yaml", "edge-loopback.yaml", "quickstart.yaml");
    List<String> args = new ArrayList<>(List.of("check-config"));
    args.addAll(examples);

    CliRun r = CliRun.of(args.toArray(String[]::new));

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    for (String f : examples) {
      assertThat(r.out()).contains(f + ": valid (0 warnings)");
    }
    assertThat(r.out())
        .endsWith(examples.size() + " files: " + examples.size() + " valid, 0 not valid\n");
  }

  /** Issue 18: several files are each reported; one invalid file makes the exit 2. */
  @Test
  void severalFilesAreEachReportedAndOneInvalidFails(@TempDir Path dir) throws IOException {
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, Files.readString(quickstart()).replace("cap: 500MB", "cap: lots"));

    CliRun r = CliRun.of("check-config", quickstart().toString(), broken.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).contains(quickstart() + ": valid (0 warnings)");
    assertThat(r.err())
        .contains(broken + ":15: budgets.zones.inference.limits[0].cap: ")
        .contains(broken + ": 1 error; configuration not valid")
        .endsWith("2 files: 1 valid, 1 not valid\n");
  }

  @Test
  void everyErrorIsPrintedOneALineAndExitIs2(@TempDir Path dir) throws IOException {
    String broken =
        Files.readString(quickstart())
            .replace("weight_bytes: 810GB", "weight_bytes: 810gb")
            .replace("cap: 500MB", "cap: lots")
            .replace("zone: employee", "zone: employe")
            .replace("admin:", "admn:");
    Path f = dir.resolve("broken.yaml");
    Files.writeString(f, broken);

    CliRun r = CliRun.of("check-config", f.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    // One line per error, FILE:LINE: path: message; then one summary line.
    assertThat(r.err().lines().filter(l -> l.matches(".+:\\d+: [^ ]+: .+"))).hasSize(4);
    assertThat(r.err().lines()).hasSize(5);
    assertThat(r.err())
        .containsPattern(":4: model.weight_bytes: .*\\(got 810gb\\)")
        .containsPattern(":15: budgets.zones.inference.limits\\[0\\].cap: .*\\(got lots\\)")
        .containsPattern(":35: listeners\\[1\\].zone: .*\\(got employe\\)")
        .containsPattern(":37: admn: .*")
        .contains("configuration not valid");
  }

  /** Issue 15: the admin API on the network without TLS is refused before anything starts. */
  @Test
  void aNonLoopbackAdminBindWithoutTlsIsRefused(@TempDir Path dir) throws IOException {
    String exposed =
        Files.readString(quickstart()).replace("bind: 127.0.0.1:9901", "bind: 0.0.0.0:9901");
    assertThat(exposed).contains("bind: 0.0.0.0:9901");
    Path f = dir.resolve("exposed.yaml");
    Files.writeString(f, exposed);

    CliRun r = CliRun.of("check-config", f.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "exposed.yaml:38: admin.bind: not a loopback address, so the admin token and the halt"
                + " switch would cross the network: set admin.tls { cert, key } to serve HTTPS, or"
                + " admin.plaintext_on_network: true to accept plain HTTP on the network (got"
                + " 0.0.0.0:9901)");

    Files.writeString(
        f,
        exposed.replace("bind: 0.0.0.0:9901", "bind: 0.0.0.0:9901\n  plaintext_on_network: true"));
    CliRun optOut = CliRun.of("check-config", f.toString());
    assertThat(optOut.exitCode()).as(optOut.err()).isZero();
  }

  @Test
  void missingFileIsAnErrorNotAStackTrace(@TempDir Path dir) {
    CliRun r = CliRun.of("check-config", dir.resolve("nope.yaml").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("nope.yaml").doesNotContain("Exception");
  }
}
