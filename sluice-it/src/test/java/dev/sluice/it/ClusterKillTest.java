package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cluster.EtcdCluster;
import dev.sluice.demo.DemoOptions;
import dev.sluice.demo.Pacer;
import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of one of three gateway nodes sharing a budget in a real etcd, mid-stream:
 * clients stream (tenant {@code bravo}) and race for a 300 KB day cap (tenant {@code acme}) on
 * every node when node {@code b} is killed ({@link Process#destroyForcibly()} on its own pid).
 * Then:
 *
 * <ul>
 *   <li>nodes {@code a} and {@code c} keep serving whole answers;
 *   <li>they report {@code b}'s escrow as stranded once its sets expire ({@code grant_ttl: 2s}):
 *       {@code /api/budgets} {@code gateway_nodes} shows {@code b} not live with all its open sets
 *       expired, and {@code /metrics} {@code sluice_cluster_escrow_expired_bytes{gateway_node="b"}}
 *       says the same bytes;
 *   <li>{@code b} started again with the same {@code node_id} and data directory ledgers one {@code
 *       stranded} entry per set, together exactly the bytes the others reported, and {@code
 *       sluice_escrow_stranded_bytes} agrees; the others then see no expired set of {@code b};
 *   <li>caps hold: what the clients of all nodes received for {@code acme} is at most its cap, and
 *       every tenant's etcd counter covers what its clients received.
 * </ul>
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterKillTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long ACME_CAP = 300_000;
  private static final long BRAVO_CAP = 100_000_000;
  private static final List<String> NODES = List.of("a", "b", "c");
  private static final int STREAMERS_PER_NODE = 2;
  private static final int RACERS_PER_NODE = 6;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private ReplayUpstream slow;
  private ReplayUpstream fast;
  private GatewaySite site;

  @AfterEach
  void stop() {
    if (site != null) {
      site.close();
    }
    if (slow != null) {
      slow.close();
    }
    if (fast != null) {
      fast.close();
    }
  }

  /** Bytes clients received, by tenant, and live per node for the streamers. */
  private static final class Received {
    final AtomicLong acme = new AtomicLong();
    final AtomicLong bravo = new AtomicLong();
    final Map<String, AtomicLong> streamedFrom = new ConcurrentHashMap<>();

    void add(String tenant, RawHttp.Response r) {
      int s = r.status();
      if (s == 200 || s == -1) {
        (tenant.equals("acme") ? acme : bravo).addAndGet(r.raw().length);
      }
    }
  }

  @Test
  void othersServeAndReportTheKilledNodesEscrowAsStranded() throws Exception {
    List<Answer> test = CorpusAnswers.load(CorpusAnswers.ALPACA_EVAL, Split.TEST);
    slow =
        ReplayUpstream.start(
            test.stream().filter(a -> a.text().length() > 3000).limit(16).toList(),
            DemoOptions.defaults().withPacer(Pacer.fixedDelay(Duration.ofMillis(2))));
    fast = ReplayUpstream.start(Racers.answers(), DemoOptions.defaults());
    site = GatewaySite.start(dir, 1, "2s", "2s");
    for (String id : NODES) {
      site.add(
          id,
          c ->
              c.tenant("acme", "day", "300KB")
                  .tenant("bravo", "day", "100MB")
                  .reverse("stream", slow.rootUrl())
                  .reverse("race", fast.rootUrl()));
    }
    site.startAll();
    for (String id : NODES) {
      Racers.warmUp(List.of(site.process(id).listener("race")), "bravo", fast.answers());
    }

    Received received = new Received();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool =
        Executors.newFixedThreadPool(NODES.size() * (STREAMERS_PER_NODE + RACERS_PER_NODE));
    List<Future<?>> clients = new ArrayList<>();
    try {
      for (String id : NODES) {
        InetSocketAddress streamAt = site.process(id).listener("stream");
        InetSocketAddress raceAt = site.process(id).listener("race");
        AtomicLong streamed = received.streamedFrom.computeIfAbsent(id, k -> new AtomicLong());
        for (int c = 0; c < STREAMERS_PER_NODE + RACERS_PER_NODE; c++) {
          boolean streamer = c < STREAMERS_PER_NODE;
          Random random = new Random(id.hashCode() * 100L + c);
          clients.add(
              pool.submit(
                  () -> {
                    boolean refused = false; // a racer stops at its first 429: acme is spent
                    while (!stop.get() && !refused) {
                      String tenant = streamer ? "bravo" : "acme";
                      int index =
                          random.nextInt(streamer ? slow.answers().size() : fast.answers().size());
                      boolean stream = streamer || random.nextBoolean();
                      RawHttp.Response r =
                          RawHttp.exchange(
                              streamer ? streamAt : raceAt,
                              RawHttp.chat(tenant, index, stream),
                              Racers.READ_TIMEOUT,
                              n -> {
                                if (streamer) {
                                  streamed.addAndGet(n);
                                }
                              });
                      received.add(tenant, r);
                      refused = r.status() == 429;
                    }
                    return null;
                  }));
        }
      }
      // b is mid-stream and holds escrow that etcd knows of.
      AdminApi adminA = new AdminApi(site.process("a"));
      assertThat(
              EtcdCluster.poll(
                  Duration.ofSeconds(20),
                  () -> received.streamedFrom.get("b").get() > 20_000 && heldBy(adminA, "b") > 0))
          .as("b streams and holds escrow")
          .isTrue();
      SluiceProcess b = site.process("b");
      assertThat(b.kill9()).isEqualTo(137);

      // a and c keep serving whole answers, streamed and not (bravo's cap is far away).
      for (String id : List.of("a", "c")) {
        RawHttp.Response r = Racers.chat(site.process(id).listener("stream"), "bravo", 0, true);
        assertThat(Racers.isWholeAnswer(r, slow.answers().get(0).text()))
            .as("node %s after the kill: %s", id, r)
            .isTrue();
        for (int i = 0; i < 3; i++) {
          r = Racers.chat(site.process(id).listener("race"), "bravo", i, i % 2 == 0);
          assertThat(Racers.isWholeAnswer(r, fast.answers().get(i).text()))
              .as("node %s after the kill: %s", id, r)
              .isTrue();
        }
      }

      // a sees b dead with every open set expired: stranded escrow, still counted as spent.
      JsonNode[] seen = new JsonNode[1];
      assertThat(
              EtcdCluster.poll(
                  Duration.ofSeconds(15),
                  () -> {
                    JsonNode g = AdminApi.gatewayNode(budgets(adminA), "b");
                    seen[0] = g;
                    return !g.path("live").asBoolean(true)
                        && g.path("open_sets").asInt() > 0
                        && g.path("expired_sets").asInt() == g.path("open_sets").asInt();
                  }))
          .as("a reports b dead with all its sets expired: %s", seen[0])
          .isTrue();
      long stranded = seen[0].path("expired").asLong();
      int strandedSets = seen[0].path("expired_sets").asInt();
      assertThat(stranded).isPositive().isEqualTo(seen[0].path("held").asLong());
      String metricsC = new AdminApi(site.process("c")).metrics();
      assertThat(
              AdminApi.metric(metricsC, "sluice_cluster_escrow_expired_bytes", "gateway_node", "b"))
          .as("c's metrics of b's expired escrow")
          .isEqualTo((double) stranded);
      assertThat(AdminApi.metric(metricsC, "sluice_cluster_node_live", "gateway_node", "b"))
          .isEqualTo(0.0);
      assertThat(AdminApi.metric(metricsC, "sluice_cluster_node_live", "gateway_node", "c"))
          .isEqualTo(1.0);

      stop.set(true);
      for (Future<?> f : clients) {
        f.get(60, TimeUnit.SECONDS);
      }

      // b again, same node_id and data: it ledgers exactly what the others reported as stranded.
      SluiceProcess again = site.start("b");
      double metric =
          AdminApi.metric(new AdminApi(again).metrics(), "sluice_escrow_stranded_bytes");
      assertThat(metric).as("b's sluice_escrow_stranded_bytes").isEqualTo((double) stranded);
      List<JsonNode> entries = strandedEntries(site.node("b").dataDir);
      assertThat(entries).as("stranded ledger entries of b").hasSize(strandedSets);
      long ledgered = 0;
      for (JsonNode e : entries) {
        assertThat(e.path("fields").path("node").asText()).isEqualTo("b");
        ledgered += e.path("fields").path("stranded").asLong();
      }
      assertThat(ledgered).isEqualTo(stranded);
      assertThat(
              EtcdCluster.poll(
                  Duration.ofSeconds(10),
                  () -> {
                    JsonNode g = AdminApi.gatewayNode(budgets(adminA), "b");
                    seen[0] = g;
                    return g.path("live").asBoolean() && g.path("expired_sets").asInt() == 0;
                  }))
          .as("a sees b live again, nothing expired: %s", seen[0])
          .isTrue();
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }

    assertThat(received.acme.get())
        .as("bytes of acme's 200s on all nodes")
        .isPositive()
        .isLessThanOrEqualTo(ACME_CAP);
    long acme = site.dayCounter("tenant:inference/acme");
    assertThat(acme).isGreaterThanOrEqualTo(received.acme.get()).isLessThanOrEqualTo(ACME_CAP);
    long bravo = site.dayCounter("tenant:inference/bravo");
    assertThat(bravo).isGreaterThanOrEqualTo(received.bravo.get()).isLessThanOrEqualTo(BRAVO_CAP);
  }

  private static JsonNode budgets(AdminApi admin) {
    try {
      return admin.budgets();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long heldBy(AdminApi admin, String node) {
    return AdminApi.gatewayNode(budgets(admin), node).path("held").asLong();
  }

  /** The {@code stranded} entries of the ledger in {@code data}, via {@code sluice ledger tail}. */
  private List<JsonNode> strandedEntries(Path data) throws Exception {
    SluiceCommand.Result tail =
        SluiceCommand.run(dir, "ledger", "tail", data.toString(), "-n", "100000", "--json");
    assertThat(tail.exitCode()).as(tail.describe()).isZero();
    List<JsonNode> out = new ArrayList<>();
    for (String line : tail.stdout().split("\n")) {
      JsonNode e = JSON.readTree(line);
      if (e.path("type").asText().equals("stranded")) {
        out.add(e);
      }
    }
    return out;
  }
}
