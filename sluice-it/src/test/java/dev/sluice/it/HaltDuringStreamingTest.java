package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.demo.DemoOptions;
import dev.sluice.demo.Pacer;
import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import dev.sluice.time.Clock;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice halt} (the CLI, as its own process, talking to a real {@code sluice run}) while
 * clients stream: no event the upstream produces after the halt reaches any client, streams that
 * were flowing stop within a second, new requests get {@code 503 egress_halted}, {@code sluice
 * resume} restores service, and both are in the ledger ({@code sluice ledger tail --json}).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HaltDuringStreamingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.system();
  private static final int STREAMS = 6;
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long ONE_SECOND = Duration.ofSeconds(1).toNanos();

  @TempDir static Path dir;
  private static final HoldingPacer held = new HoldingPacer();
  private static ReplayUpstream heldUpstream;
  private static ReplayUpstream flowingUpstream;
  private static SluiceProcess sluice;
  private final List<LiveStream> streams = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    // Long answers, so that streams are still flowing when the halt comes.
    List<Answer> longest =
        CorpusAnswers.load(CorpusAnswers.ALPACA_EVAL, Split.TEST).stream()
            .filter(a -> a.text().length() > 5000)
            .limit(STREAMS)
            .toList();
    assertThat(longest).hasSize(STREAMS);
    heldUpstream = ReplayUpstream.start(longest, DemoOptions.defaults().withPacer(held));
    flowingUpstream =
        ReplayUpstream.start(
            longest, DemoOptions.defaults().withPacer(Pacer.fixedDelay(Duration.ofMillis(5))));
    Path config =
        TestConfig.in(dir.resolve("data"))
            .tenant("acme", "day", "50MB")
            .reverse("held", heldUpstream.rootUrl())
            .reverse("flowing", flowingUpstream.rootUrl())
            .write(dir.resolve("sluice.yaml"));
    sluice = SluiceProcess.start(config, dir);
  }

  @AfterAll
  static void stop() {
    if (sluice != null) {
      sluice.close();
    }
    if (heldUpstream != null) {
      heldUpstream.close();
    }
    if (flowingUpstream != null) {
      flowingUpstream.close();
    }
  }

  @AfterEach
  void closeStreams() {
    streams.forEach(LiveStream::close);
  }

  private static SluiceCommand.Result cli(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    InetSocketAddress a = sluice.admin();
    all.addAll(
        List.of(
            "--admin",
            a.getHostString() + ":" + a.getPort(),
            "--token-file",
            dir.resolve("data/admin.token").toString()));
    return SluiceCommand.run(dir, all.toArray(String[]::new));
  }

  private LiveStream stream(String listener, int index) throws Exception {
    LiveStream s = LiveStream.open(sluice.listener(listener), RawHttp.chat("acme", index, true));
    streams.add(s);
    return s;
  }

  /**
   * Streams are brought to a standstill with every produced event received, then halted; only then
   * does the upstream produce one more event on each. None of those arrives, and every stream is
   * closed.
   */
  @Test
  void noEventProducedAfterTheHaltReachesAnyClient() throws Exception {
    for (int i = 0; i < STREAMS; i++) {
      stream("held", i);
    }
    assertThat(held.awaitAsked(STREAMS, WAIT)).as("every stream waits for its 2nd event").isTrue();
    int rounds = 3;
    for (int r = 1; r <= rounds; r++) {
      assertThat(held.releaseAll()).isEqualTo(STREAMS);
      assertThat(held.awaitAsked(STREAMS, WAIT)).isTrue();
    }
    long[] bytesBefore = new long[STREAMS];
    for (int i = 0; i < STREAMS; i++) {
      assertThat(streams.get(i).awaitEvents(1 + rounds, WAIT))
          .as("stream %d received every event produced so far", i)
          .isTrue();
      assertThat(streams.get(i).events()).isEqualTo(1 + rounds);
      bytesBefore[i] = streams.get(i).bytes();
    }

    SluiceCommand.Result halt = cli("halt", "--reason", "test");
    assertThat(halt.exitCode()).as(halt.describe()).isZero();
    assertThat(halt.stdout()).contains("halted site");

    long released = CLOCK.nanos();
    assertThat(held.releaseAll()).as("events produced after the halt").isEqualTo(STREAMS);
    for (int i = 0; i < STREAMS; i++) {
      RawHttp.Response end = streams.get(i).awaitEnd(WAIT);
      assertThat(end).as("stream %d was closed by the gateway", i).isNotNull();
      assertThat(end.events()).as("events of stream %d", i).hasSize(1 + rounds);
      assertThat(end.raw()).as("stream %d received nothing more", i).hasSize((int) bytesBefore[i]);
      assertThat(end.complete()).isFalse();
    }
    // The last stream's close, measured from when the upstream produced the refused events.
    assertThat(CLOCK.nanos() - released).isLessThan(5 * ONE_SECOND);

    assertHaltedThenResume();
  }

  /** Streams flowing at full speed all stop within a second of the halt being acknowledged. */
  @Test
  void flowingStreamsStopWithinASecond() throws Exception {
    for (int i = 0; i < STREAMS; i++) {
      stream("flowing", i);
    }
    for (LiveStream s : streams) {
      assertThat(s.awaitEvents(5, WAIT)).isTrue();
    }
    long before = CLOCK.nanos();
    SluiceCommand.Result halt = cli("halt", "--reason", "test");
    long acknowledged = CLOCK.nanos();
    assertThat(halt.exitCode()).as(halt.describe()).isZero();
    for (int i = 0; i < STREAMS; i++) {
      RawHttp.Response end = streams.get(i).awaitEnd(WAIT);
      assertThat(end).as("stream %d was closed by the gateway", i).isNotNull();
      assertThat(end.complete()).as("stream %d was cut, not finished", i).isFalse();
      long last = streams.get(i).lastByteNanos();
      assertThat(last)
          .as("stream %d was still flowing when the halt began", i)
          .isGreaterThan(before);
      assertThat(last - acknowledged)
          .as("stream %d: last byte after the halt was acknowledged (ns)", i)
          .isLessThan(ONE_SECOND);
    }
    assertHaltedThenResume();
  }

  /** New requests get 503 egress_halted until {@code sluice resume}; both are ledgered. */
  private void assertHaltedThenResume() throws Exception {
    RawHttp.Response refused =
        RawHttp.exchange(sluice.listener("flowing"), RawHttp.chat("acme", 0, false), WAIT);
    assertThat(refused.status()).as("%s", refused).isEqualTo(503);
    assertThat(refused.header("content-type")).isEqualTo("application/json");
    JsonNode error = JSON.readTree(refused.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("egress_halted");
    assertThat(error.path("reason").asText()).isEqualTo("test");
    assertThat(new AdminApi(sluice).budgets().path("halted").asBoolean()).isTrue();

    SluiceCommand.Result resume = cli("resume", "--reason", "test over");
    assertThat(resume.exitCode()).as(resume.describe()).isZero();
    RawHttp.Response served =
        RawHttp.exchange(sluice.listener("flowing"), RawHttp.chat("acme", 0, false), WAIT);
    assertThat(served.status()).as("%s", served).isEqualTo(200);
    assertThat(RawHttp.answerText(served)).isEqualTo(flowingUpstream.answers().get(0).text());

    SluiceCommand.Result tail =
        SluiceCommand.run(
            dir, "ledger", "tail", dir.resolve("data").toString(), "-n", "500", "--json");
    assertThat(tail.exitCode()).as(tail.describe()).isZero();
    List<JsonNode> entries = new ArrayList<>();
    for (String line : tail.stdout().split("\n")) {
      entries.add(JSON.readTree(line));
    }
    JsonNode lastHalt = null;
    JsonNode lastResume = null;
    for (JsonNode e : entries) {
      if (e.path("type").asText().equals("halt")) {
        lastHalt = e;
      } else if (e.path("type").asText().equals("resume")) {
        lastResume = e;
      }
    }
    assertThat(lastHalt).as("a halt entry in %s", tail.stdout()).isNotNull();
    assertThat(lastHalt.path("fields").path("reason").asText()).isEqualTo("test");
    assertThat(lastHalt.path("fields").path("scope").asText()).isEqualTo("site");
    assertThat(lastResume).as("a resume entry").isNotNull();
    assertThat(lastResume.path("fields").path("reason").asText()).isEqualTo("test over");
    assertThat(lastResume.path("index").asLong()).isGreaterThan(lastHalt.path("index").asLong());
  }
}
