package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: {@code sluice demo} as a new user runs it, on free ports and a data directory of its
 * own, and every command of its printed tour run for real with bash and curl, as printed: the loop
 * of step 3 answers 200, 200, 200, then 429, and the request after it shows the 429 body. The demo
 * says that its state carries over, exits 0 on SIGTERM, and a second run on the same data directory
 * says it continues the first one's state and still refuses tenant default.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DemoTourTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.system();
  private static final long WAIT_MS = 60_000;

  @TempDir Path dir;
  private Process demo;

  @AfterEach
  void stop() throws InterruptedException {
    if (demo != null && demo.isAlive()) {
      demo.destroyForcibly();
      demo.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Starts the demo and returns its stdout once the tour is printed. */
  private String startDemo(int n) throws Exception {
    List<String> args =
        List.of(
            "demo",
            "--data-dir",
            dir.resolve("data dir").toString(),
            "--api-port",
            "0",
            "--proxy-port",
            "0",
            "--admin-port",
            "0");
    Path out = dir.resolve("demo-out-" + n + ".log");
    demo =
        new ProcessBuilder(SluiceProcess.command(args))
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(dir.resolve("demo-err-" + n + ".log").toFile())
            .start();
    long deadline = CLOCK.nanos() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
    while (true) {
      String text = Files.readString(out, StandardCharsets.UTF_8);
      if (text.contains("Ctrl-C stops the gateway")) {
        return text;
      }
      assertThat(CLOCK.nanos()).as("the tour was not printed: %s", text).isLessThan(deadline);
      assertThat(demo.waitFor(50, TimeUnit.MILLISECONDS))
          .as("the demo exited: %s", Files.readString(dir.resolve("demo-err-" + n + ".log")))
          .isFalse();
    }
  }

  /** The lines of tour step {@code step}, from its {@code # N.} comment to the blank line. */
  private static String step(String tour, int step) {
    List<String> lines = tour.lines().toList();
    List<String> block = new ArrayList<>();
    boolean in = false;
    for (String line : lines) {
      if (line.startsWith("  # " + step + ". ")) {
        in = true;
      } else if (in && line.isBlank()) {
        break;
      }
      if (in) {
        block.add(line);
      }
    }
    assertThat(block).as("step %d in %s", step, tour).isNotEmpty();
    return String.join("\n", block) + "\n";
  }

  /** Runs {@code script} with bash in the demo's directory; returns exit code and stdout. */
  private String[] bash(String script) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("bash", "-c", script)
            .directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(WAIT_MS, TimeUnit.MILLISECONDS)).as(script).isTrue();
    return new String[] {Integer.toString(p.exitValue()), new String(out, StandardCharsets.UTF_8)};
  }

  @Test
  void everyPrintedCommandDoesWhatTheTourSays() throws Exception {
    // The tour's bin/sluice, from the directory it is printed for, is the jar under test.
    Files.createDirectories(dir.resolve("bin"));
    Path bin = dir.resolve("bin/sluice");
    Files.writeString(
        bin,
        "#!/bin/sh\nexec '" + String.join("' '", SluiceProcess.command(List.of())) + "' \"$@\"\n");
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));

    String tour = startDemo(1);
    assertThat(tour)
        .contains("carries over between runs;")
        .doesNotContain("continues an earlier one's")
        .doesNotContain(":8080")
        .doesNotContain(":9901");

    String[] one = bash(step(tour, 1));
    assertThat(one[0]).isEqualTo("0");
    assertThat(one[1]).contains("data: [DONE]");

    String[] two = bash(step(tour, 2));
    assertThat(two[0]).as(two[1]).isEqualTo("0");
    assertThat(two[1]).contains("HELD").contains("tenant:inference/acme");

    String[] three = bash(step(tour, 3));
    assertThat(three[0]).isEqualTo("0");
    assertThat(three[1]).startsWith("200\n200\n200\n429\n");
    JsonNode body = JSON.readTree(three[1].substring("200\n200\n200\n429\n".length()));
    assertThat(body.path("error").path("type").asText()).isEqualTo("egress_budget_exhausted");
    assertThat(body.toString()).contains("tenant:inference/default").contains("day");

    String[] four = bash(step(tour, 4));
    assertThat(four[0]).as(four[1]).isEqualTo("0");
    assertThat(four[1]).contains("halted").contains("resumed");

    String[] five = bash(step(tour, 5));
    assertThat(five[0]).as(five[1]).isEqualTo("0");

    demo.destroy(); // SIGTERM
    assertThat(demo.waitFor(WAIT_MS, TimeUnit.MILLISECONDS)).isTrue();
    assertThat(demo.exitValue()).as("exit code after SIGTERM").isZero();

    String again = startDemo(2);
    assertThat(again).contains("carries over between runs (this run continues an earlier one's)");
    String[] spent = bash(step(again, 3).lines().reduce((a, b) -> b).orElseThrow());
    assertThat(JSON.readTree(spent[1]).path("error").path("type").asText())
        .as("tenant default's day cap is still spent")
        .isEqualTo("egress_budget_exhausted");
  }
}
