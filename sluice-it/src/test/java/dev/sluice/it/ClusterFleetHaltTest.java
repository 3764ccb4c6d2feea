package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cluster.EtcdCluster;
import dev.sluice.demo.DemoOptions;
import dev.sluice.demo.Pacer;
import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import dev.sluice.time.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet-wide kill switch (issue 16, point 3): three {@code sluice run} gateway nodes on one
 * prefix of a real three-member etcd.
 *
 * <ol>
 *   <li>{@value #ROUNDS} rounds: streams flow through the two other nodes, a halt goes to one
 *       node's admin API; every stream on the other nodes is cut within one second of the halt
 *       request (their propagation times are printed, p50 and max), new requests on every node are
 *       {@code 503 egress_halted}, and the other nodes' ledgers hold a {@code halt} entry {@code
 *       via: etcd} from that node. Then a resume through a third node lifts it everywhere.
 *   <li>Node b killed while halted and started again without its {@code halts} file: it comes up
 *       halted (the halt lives in etcd and is applied before its listeners accept).
 *   <li>An etcd member stopped: the halt stays in force on every node, and a resume through node c
 *       still lifts it everywhere.
 * </ol>
 */
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterFleetHaltTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.system();
  private static final List<String> NODES = List.of("a", "b", "c");
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final long ONE_SECOND = Duration.ofSeconds(1).toNanos();
  private static final int ROUNDS = 5;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private ReplayUpstream upstream;
  private GatewaySite site;
  private final List<LiveStream> streams = new ArrayList<>();

  @AfterEach
  void stop() {
    streams.forEach(LiveStream::close);
    try {
      if (site != null) {
        site.close();
      }
    } finally {
      if (upstream != null) {
        upstream.close();
      }
    }
  }

  @Test
  void aHaltOnAnyNodeStopsEveryNodeWithinASecondAndOutlivesRestarts() throws Exception {
    List<Answer> longest =
        CorpusAnswers.load(CorpusAnswers.ALPACA_EVAL, Split.TEST).stream()
            .filter(a -> a.text().length() > 5000)
            .limit(4)
            .toList();
    assertThat(longest).hasSize(4);
    upstream =
        ReplayUpstream.start(
            longest, DemoOptions.defaults().withPacer(Pacer.fixedDelay(Duration.ofMillis(5))));
    site = GatewaySite.start(dir, 3, "2s", "500ms");
    for (String id : NODES) {
      site.add(id, c -> c.tenant("acme", "day", "500MB").reverse("api", upstream.rootUrl()));
    }
    site.startAll();
    for (String id : NODES) {
      assertServes(id);
    }

    // 1. Halt through each node in turn; the other two are cut within a second.
    List<Long> propagation = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      String halter = NODES.get(round % 3);
      String resumer = NODES.get((round + 2) % 3);
      Map<String, LiveStream> flowing = new LinkedHashMap<>();
      for (String id : NODES) {
        if (!id.equals(halter)) {
          LiveStream s = stream(id, round % longest.size());
          assertThat(s.awaitEvents(5, WAIT)).as("a stream flows through node %s", id).isTrue();
          flowing.put(id, s);
        }
      }
      String reason = "fleet test round " + round;
      long sent = CLOCK.nanos();
      AdminApi.Answer halted = admin(halter).post("/api/halt", reason(reason), token(halter));
      long acknowledged = CLOCK.nanos();
      assertThat(halted.status()).as("%s", halted.json()).isEqualTo(200);
      assertThat(halted.json().path("fleet").asText()).isEqualTo("published");
      for (Map.Entry<String, LiveStream> e : flowing.entrySet()) {
        RawHttp.Response end = e.getValue().awaitEnd(WAIT);
        assertThat(end).as("the stream through node %s was cut", e.getKey()).isNotNull();
        assertThat(end.complete()).as("node %s cut, not finished", e.getKey()).isFalse();
        long last = e.getValue().lastByteNanos() - sent;
        assertThat(last)
            .as("node %s: last byte after the halt request was sent (ns)", e.getKey())
            .isLessThan(ONE_SECOND);
        propagation.add(last);
      }
      System.out.printf(
          Locale.ROOT,
          "fleet halt round %d through %s: answered in %d ms; last byte on %s%n",
          round,
          halter,
          (acknowledged - sent) / 1_000_000,
          flowingSummary(flowing, sent));
      for (String id : NODES) {
        assertRefused(id, reason);
      }
      for (String id : NODES) {
        if (!id.equals(halter)) {
          JsonNode entry = lastEntry(id, "halt");
          assertThat(entry.path("fields").path("via").asText()).isEqualTo("etcd");
          assertThat(entry.path("fields").path("from_node").asText()).isEqualTo(halter);
          assertThat(entry.path("fields").path("reason").asText()).isEqualTo(reason);
        }
      }
      resume(resumer);
    }
    propagation.sort(null);
    System.out.printf(
        Locale.ROOT,
        "fleet halt propagation over %d halts x 2 nodes: p50 %d ms, max %d ms%n",
        ROUNDS,
        propagation.get(propagation.size() / 2) / 1_000_000,
        propagation.get(propagation.size() - 1) / 1_000_000);

    // 2. Halted, node b is killed and starts again without its halts file: still halted.
    AdminApi.Answer halted = admin("a").post("/api/halt", reason("restart test"), token("a"));
    assertThat(halted.status()).as("%s", halted.json()).isEqualTo(200);
    assertThat(EtcdCluster.poll(WAIT, () -> isHalted("b"))).isTrue();
    site.process("b").kill9();
    Files.deleteIfExists(site.node("b").dataDir.resolve("halts"));
    site.start("b");
    assertRefused("b", "restart test");
    assertThat(new AdminApi(site.process("b")).budgets().path("halted").asBoolean()).isTrue();

    // 3. One etcd member stopped: the halt holds, and a resume through c still reaches all.
    site.etcd().stop(0);
    for (String id : NODES) {
      assertRefused(id, "restart test");
    }
    resume("c");
    site.etcd().restart(0);
  }

  private static String reason(String reason) {
    return "{\"reason\": \"" + reason + "\"}";
  }

  private Path token(String id) {
    return site.node(id).dataDir.resolve("admin.token");
  }

  private AdminApi admin(String id) {
    return new AdminApi(site.process(id));
  }

  private LiveStream stream(String id, int index) throws Exception {
    LiveStream s =
        LiveStream.open(site.process(id).listener("api"), RawHttp.chat("acme", index, true));
    streams.add(s);
    return s;
  }

  private boolean isHalted(String id) {
    try {
      return admin(id).budgets().path("halted").asBoolean();
    } catch (Exception e) {
      return false;
    }
  }

  /** Resumes through {@code id}; every node serves again. */
  private void resume(String id) throws Exception {
    AdminApi.Answer r = admin(id).post("/api/resume", reason("fleet test over"), token(id));
    assertThat(r.status()).as("resume through %s: %s", id, r.json()).isEqualTo(200);
    assertThat(r.json().path("fleet").asText()).isEqualTo("lifted");
    for (String n : NODES) {
      assertThat(EtcdCluster.poll(WAIT, () -> !isHalted(n)))
          .as("node %s resumed after the resume through %s", n, id)
          .isTrue();
      assertServes(n);
    }
  }

  private void assertServes(String id) {
    RawHttp.Response served =
        RawHttp.exchange(site.process(id).listener("api"), RawHttp.chat("acme", 0, false), WAIT);
    assertThat(served.status()).as("node %s: %s", id, served).isEqualTo(200);
  }

  private void assertRefused(String id, String reason) throws Exception {
    RawHttp.Response refused =
        RawHttp.exchange(site.process(id).listener("api"), RawHttp.chat("acme", 0, false), WAIT);
    assertThat(refused.status()).as("node %s: %s", id, refused).isEqualTo(503);
    JsonNode error = JSON.readTree(refused.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("egress_halted");
    assertThat(error.path("reason").asText()).isEqualTo(reason);
  }

  private static String flowingSummary(Map<String, LiveStream> flowing, long sent) {
    List<String> parts = new ArrayList<>();
    flowing.forEach(
        (id, s) -> parts.add(id + " +" + (s.lastByteNanos() - sent) / 1_000_000 + " ms"));
    return String.join(", ", parts);
  }

  /** The last ledger entry of {@code type} of node {@code id} ({@code sluice ledger tail}). */
  private JsonNode lastEntry(String id, String type) throws Exception {
    SluiceCommand.Result tail =
        SluiceCommand.run(
            site.node(id).workDir,
            "ledger",
            "tail",
            site.node(id).dataDir.toString(),
            "-n",
            "2000",
            "--json");
    assertThat(tail.exitCode()).as(tail.describe()).isZero();
    JsonNode last = null;
    for (String line : tail.stdout().split("\n")) {
      JsonNode e = JSON.readTree(line);
      if (e.path("type").asText().equals(type)) {
        last = e;
      }
    }
    assertThat(last).as("a %s entry of node %s", type, id).isNotNull();
    return last;
  }
}
