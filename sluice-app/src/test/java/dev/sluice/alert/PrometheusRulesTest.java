package dev.sluice.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shipped Prometheus rules ({@code deploy/prometheus/sluice-rules.yml}) pass {@code promtool
 * check rules} and their unit tests ({@code sluice-rules.test.yml}, {@code promtool test rules});
 * both run the real promtool (Debian package {@code prometheus}), and a failure shows promtool's
 * output.
 */
class PrometheusRulesTest {

  private static final Path DIR =
      Path.of("..", "deploy", "prometheus").toAbsolutePath().normalize();

  @Test
  void theRulesPassPromtoolCheck() throws Exception {
    assertPromtool("check", "rules", "sluice-rules.yml");
  }

  @Test
  void theRulesPassTheirPromtoolUnitTests() throws Exception {
    assertPromtool("test", "rules", "sluice-rules.test.yml");
  }

  @Test
  void theRulesUseOnlySeriesTheGatewayServes() throws IOException {
    String rules = Files.readString(DIR.resolve("sluice-rules.yml"));
    String metrics = Files.readString(DIR.resolve("../../docs/metrics.md").normalize());
    var m = java.util.regex.Pattern.compile("\\b(sluice_[a-z_]+)").matcher(rules);
    while (m.find()) {
      String series = m.group(1).replaceFirst("_(count|sum|bucket)$", "");
      assertThat(metrics).as("docs/metrics.md lists %s", series).contains("`" + series);
    }
  }

  private static void assertPromtool(String... args) throws Exception {
    Path promtool = promtool();
    List<String> cmd = new java.util.ArrayList<>(List.of(promtool.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true).start();
    String out;
    try (var in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("promtool finished").isTrue();
    assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
    assertThat(out).contains("SUCCESS");
  }

  private static Path promtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new AssertionError(
        "promtool not found on PATH: install the Debian package prometheus"
            + " (apt-get install prometheus; .ci/run installs it)");
  }
}
