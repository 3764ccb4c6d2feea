package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.demo.DemoOptions;
import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM with a stream in flight: the node logs that it drains and how many connections, stops
 * accepting, lets the stream finish (or cuts it at {@code --drain-timeout}), and exits 0; the
 * ledger ends with a {@code stop} entry and verifies, and the next start finds no stranded escrow:
 * everything unspent was returned.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DrainOnSigtermTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.system();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final LockstepPacer pacer = new LockstepPacer();
  private ReplayUpstream upstream;
  private SluiceProcess sluice;
  private LiveStream stream;

  @AfterEach
  void stop() {
    if (stream != null) {
      stream.close();
    }
    if (sluice != null) {
      sluice.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private Path start(List<String> options) throws Exception {
    Answer answer =
        CorpusAnswers.load(CorpusAnswers.ARENA_HARD, Split.TEST).stream()
            .filter(a -> a.text().length() > 300 && a.text().length() < 800)
            .findFirst()
            .orElseThrow();
    upstream = ReplayUpstream.start(List.of(answer), DemoOptions.defaults().withPacer(pacer));
    Path config =
        TestConfig.in(dir.resolve("data"))
            .tenant("acme", "day", "10MB")
            .reverse("api", upstream.rootUrl())
            .write(dir.resolve("sluice.yaml"));
    sluice = SluiceProcess.start(config, dir, options);
    stream = LiveStream.open(sluice.listener("api"), RawHttp.chat("acme", 0, true));
    for (int k = 1; k <= 3; k++) {
      assertThat(stream.awaitEvents(k, WAIT)).isTrue();
      assertThat(pacer.releaseNext(WAIT)).isTrue();
    }
    return config;
  }

  /** SIGTERM, then waits until the listener refuses connections: the drain has begun. */
  private void sigtermAndAwaitDrain(InetSocketAddress listener) throws Exception {
    sluice.sigterm();
    long deadline = CLOCK.nanos() + WAIT.toNanos();
    while (accepts(listener)) {
      assertThat(CLOCK.nanos() - deadline).as("the listener still accepts").isNegative();
      assertThat(sluice.isAlive()).as("sluice exited before the stream finished").isTrue();
      // Poll again a moment later, or at once if the process exits meanwhile.
      sluice.exitedWithin(Duration.ofMillis(20));
    }
  }

  private static boolean accepts(InetSocketAddress a) {
    try (Socket s = new Socket()) {
      s.connect(a, 1_000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  @Test
  void aStreamInFlightFinishesAndNothingIsStranded() throws Exception {
    Path config = start(List.of());
    InetSocketAddress api = sluice.listener("api");
    sigtermAndAwaitDrain(api);

    // The rest of the stream, event by event, while the node drains.
    int events = stream.events();
    while (!stream.response().bodyText().endsWith("data: [DONE]\n\n")) {
      assertThat(sluice.isAlive()).as("sluice waits for the stream").isTrue();
      assertThat(pacer.releaseNext(WAIT)).isTrue();
      events++;
      assertThat(stream.awaitEvents(events, WAIT)).as("event %d", events).isTrue();
    }
    RawHttp.Response done = stream.awaitEnd(WAIT);
    assertThat(done).as("the gateway closed the connection after the stream").isNotNull();
    assertThat(done.complete()).isTrue();
    assertThat(RawHttp.answerText(done)).isEqualTo(upstream.answers().get(0).text());
    assertThat(sluice.awaitExit(WAIT)).as("issue 18: exit 0 after a clean drain").isZero();
    assertThat(sluice.stderr())
        .contains("SIGTERM received: draining")
        // The stream's connection, and perhaps the probe of sigtermAndAwaitDrain's.
        .containsPattern("draining [12] open connections \\(cut after 30s\\)")
        .contains("stopped; 0 connections cut at the drain deadline");

    JsonNode stop = lastEntry();
    assertThat(stop.path("type").asText()).isEqualTo("stop");
    assertThat(stop.path("fields").path("connections_cut").asLong()).isZero();
    assertThat(stop.path("fields").path("escrow_unreturned").asLong()).isZero();
    assertLedgerVerifies();
    assertRestartFindsNothingStranded(config);
  }

  @Test
  void aStreamStillRunningAtTheDrainTimeoutIsCut() throws Exception {
    Path config = start(List.of("--drain-timeout", "1s"));
    long before = CLOCK.nanos();
    sluice.sigterm();
    // Nothing more is released: the stream cannot finish.
    RawHttp.Response cut = stream.awaitEnd(WAIT);
    assertThat(cut).as("the stream was cut").isNotNull();
    assertThat(cut.complete()).isFalse();
    assertThat(cut.events()).hasSize(4);
    assertThat(sluice.awaitExit(WAIT)).as("the stop completed, ledgered").isZero();
    assertThat(sluice.stderr())
        .contains("draining 1 open connections (cut after 1s)")
        .contains("stopped; 1 connections cut at the drain deadline");
    assertThat(CLOCK.nanos() - before)
        .as("exit after the 1s drain timeout")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos());

    JsonNode stop = lastEntry();
    assertThat(stop.path("type").asText()).isEqualTo("stop");
    assertThat(stop.path("fields").path("connections_cut").asLong()).isEqualTo(1);
    assertThat(stop.path("fields").path("escrow_unreturned").asLong()).isZero();
    assertLedgerVerifies();
    assertRestartFindsNothingStranded(config);
  }

  private JsonNode lastEntry() throws Exception {
    SluiceCommand.Result tail =
        SluiceCommand.run(
            dir, "ledger", "tail", dir.resolve("data").toString(), "-n", "1", "--json");
    assertThat(tail.exitCode()).as(tail.describe()).isZero();
    return JSON.readTree(tail.stdout().strip());
  }

  private void assertLedgerVerifies() throws Exception {
    SluiceCommand.Result verify =
        SluiceCommand.run(dir, "ledger", "verify", dir.resolve("data").toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
  }

  private void assertRestartFindsNothingStranded(Path config) throws Exception {
    sluice = SluiceProcess.start(config, dir);
    double stranded =
        AdminApi.metric(new AdminApi(sluice).metrics(), "sluice_escrow_stranded_bytes");
    assertThat(stranded).isZero();
    assertThat(sluice.terminate()).isZero();
    SluiceCommand.Result tail =
        SluiceCommand.run(
            dir, "ledger", "tail", dir.resolve("data").toString(), "-n", "100000", "--json");
    List<String> types = new ArrayList<>();
    for (String line : tail.stdout().split("\n")) {
      types.add(JSON.readTree(line).path("type").asText());
    }
    assertThat(types).doesNotContain("stranded");
  }
}
