package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.demo.DemoOptions;
import dev.sluice.it.CorpusAnswers.Split;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code sluice run} whose data directory is a tiny tmpfs: a filler file takes the last free
 * byte, so the ledger's next write fails with ENOSPC. Egress stops and {@code /readyz} answers 503;
 * once the filler is deleted the node repairs its ledger by itself, {@code /readyz} answers 200
 * again within seconds, egress resumes, and {@code sluice ledger verify} passes while the node runs
 * and after it stopped. Mounting needs root: elsewhere the test is skipped (the fault-injection
 * tests in sluice-core, {@code DiskFullTest}, always run).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DiskFullRecoveryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.system();
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

  @TempDir Path dir;
  private Path data;
  private boolean mounted;
  private ReplayUpstream upstream;
  private SluiceProcess sluice;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void mountTmpfs() throws Exception {
    data = Files.createDirectories(dir.resolve("data"));
    String failed = run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", data.toString());
    Assumptions.assumeTrue(
        failed == null,
        "cannot mount a tmpfs here (needs root); the full-disk fault-injection tests cover the"
            + " logic: "
            + failed);
    mounted = true;
  }

  @AfterEach
  void unmount() throws Exception {
    try {
      if (sluice != null) {
        sluice.close();
      }
      if (upstream != null) {
        upstream.close();
      }
    } finally {
      if (mounted) {
        String failed = run("umount", data.toString());
        if (failed != null) {
          run("umount", "-l", data.toString());
        }
      }
    }
  }

  @Test
  void aFullDiskStopsEgressAndFreeingItResumesEgressWithoutARestart() throws Exception {
    upstream =
        ReplayUpstream.start(
            CorpusAnswers.load(CorpusAnswers.ARENA_HARD, Split.TEST).subList(0, 1),
            DemoOptions.defaults());
    Path config =
        TestConfig.in(data)
            .tenant("acme", "day", "20MB")
            .escrowChunks("1KiB", "1KiB") // every request needs new grants: the ledger is hit
            .reverse("api", upstream.rootUrl())
            .write(dir.resolve("sluice.yaml"));
    sluice = SluiceProcess.start(config, dir);
    assertThat(request().status()).as("before the disk fills").isEqualTo(200);

    Path filler = data.resolve("filler");
    fill(filler);
    // tmpfs allocates whole pages: appends still fit in the ledger files' last pages until one
    // needs a new page; that write fails, and from then on egress is refused.
    int requests = 0;
    while (readyz().statusCode() == 200) {
      assertThat(++requests).as("requests until a ledger write needs a new page").isLessThan(500);
      request();
    }
    awaitReadyz(503);
    RawHttp.Response refused = request();
    assertThat(refused.status()).as("egress while the disk is full: %s", refused).isNotEqualTo(200);

    Files.delete(filler);
    long freed = CLOCK.nanos();
    awaitReadyz(200);
    assertThat(Duration.ofNanos(CLOCK.nanos() - freed)).isLessThan(Duration.ofSeconds(10));
    RawHttp.Response resumed = request();
    assertThat(resumed.status()).as("egress after the disk was freed: %s", resumed).isEqualTo(200);
    assertThat(RawHttp.answerText(resumed)).isEqualTo(upstream.answers().get(0).text());

    assertLedgerVerifies("while the node runs");
    JsonNode gap = lastGap();
    assertThat(gap.path("fields").path("refused").asLong()).isPositive();
    assertThat(gap.path("fields").path("reason").asText()).contains("No space left on device");
    assertThat(sluice.stderr())
        .contains("ledger unavailable since")
        .contains("No space left on device")
        .contains("ledger recovered after");
    assertThat(sluice.terminate()).isIn(0, 143);
    assertLedgerVerifies("after the stop");
  }

  private RawHttp.Response request() {
    return RawHttp.exchange(sluice.listener("api"), RawHttp.chat("acme", 0, false), READ_TIMEOUT);
  }

  /** Writes {@code filler} until the file system has no byte left. */
  private static void fill(Path filler) throws IOException {
    byte[] block = new byte[64 << 10];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      assertThat(full.getMessage()).contains("No space left on device");
    }
  }

  private HttpResponse<String> readyz() throws Exception {
    HttpRequest get =
        HttpRequest.newBuilder(sluice.adminUri("/readyz")).timeout(READ_TIMEOUT).GET().build();
    return http.send(get, HttpResponse.BodyHandlers.ofString());
  }

  private void awaitReadyz(int status) throws Exception {
    long deadline = CLOCK.nanos() + WAIT.toNanos();
    int last = -1;
    String body = "";
    while (CLOCK.nanos() - deadline < 0) {
      HttpResponse<String> r = readyz();
      last = r.statusCode();
      body = r.body();
      if (last == status) {
        return;
      }
      // Poll again a moment later, or at once if the process exits meanwhile.
      assertThat(sluice.exitedWithin(Duration.ofMillis(50))).as("sluice exited").isFalse();
    }
    throw new AssertionError(
        "/readyz answered " + last + " " + body + ", not " + status + " within " + WAIT);
  }

  private void assertLedgerVerifies(String when) throws Exception {
    SluiceCommand.Result verify = SluiceCommand.run(dir, "ledger", "verify", data.toString());
    assertThat(verify.exitCode()).as("%s: %s", when, verify.describe()).isZero();
  }

  private JsonNode lastGap() throws Exception {
    SluiceCommand.Result tail =
        SluiceCommand.run(dir, "ledger", "tail", data.toString(), "-n", "100000", "--json");
    assertThat(tail.exitCode()).as(tail.describe()).isZero();
    List<JsonNode> gaps = new ArrayList<>();
    for (String line : tail.stdout().split("\n")) {
      JsonNode e = JSON.readTree(line);
      if (e.path("type").asText().equals("gap")) {
        gaps.add(e);
      }
    }
    assertThat(gaps).as("a GAP entry records the outage").isNotEmpty();
    return gaps.get(gaps.size() - 1);
  }

  /** Runs a command; null if it succeeded, else what it said. */
  private static String run(String... command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return e.toString();
    }
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return String.join(" ", command) + " did not finish";
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    return p.exitValue() == 0 ? null : String.join(" ", command) + ": " + out;
  }
}
