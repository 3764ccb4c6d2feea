package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.app.SluiceNode;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigResult;
import dev.sluice.demo.DemoOptions;
import dev.sluice.it.Racers.Exchange;
import dev.sluice.time.Clock;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three gateway nodes whose clocks disagree, racing for one tenant's 300 KB day cap in a real etcd:
 * node {@code ahead} runs 5 s ahead of the machine's clock, {@code behind} 5 s behind, {@code
 * exact} on it. {@code sluice run} always reads the system clock, so these nodes run in this JVM
 * ({@link SluiceNode#start(dev.sluice.config.SluiceConfig, Clock)} with an offset {@link Clock},
 * the same wiring as {@code sluice run}), each with its own configuration, data directory and
 * listeners. 96 clients spread round-robin over them: the bytes of all {@code 200}s, counted on the
 * wire, stay within the cap, the etcd counter covers them and stays within the cap, and every node
 * then answers {@code 429} naming the tenant. The nodes' ledgers show that each granted on its own
 * clock (expiries 5 s ahead or behind).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterClockSkewTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock SYSTEM = Clock.system();
  private static final long CAP = 300_000;
  private static final String TENANT_NODE = "tenant:inference/acme";
  private static final long GRANT_TTL_MILLIS = 2_000;
  private static final long LEFT_ENOUGH = 500;

  /** Node id → clock offset from the machine's, in ms. */
  private static final Map<String, Long> SKEW =
      new LinkedHashMap<>(Map.of("ahead", 5_000L, "behind", -5_000L, "exact", 0L));

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private ReplayUpstream upstream;
  private GatewaySite site;
  private final List<SluiceNode> nodes = new ArrayList<>();

  /** The machine's clock moved by a fixed offset (wall time only; intervals are unchanged). */
  private record SkewedClock(long offsetMillis) implements Clock {
    @Override
    public long millis() {
      return SYSTEM.millis() + offsetMillis;
    }

    @Override
    public long nanos() {
      return SYSTEM.nanos();
    }
  }

  @AfterEach
  void stop() {
    try {
      for (SluiceNode n : nodes) {
        n.close(Duration.ofSeconds(5));
      }
    } finally {
      if (site != null) {
        site.close();
      }
      if (upstream != null) {
        upstream.close();
      }
    }
  }

  @Test
  void skewedNodesTogetherNeverSendMoreThanTheCap() throws Exception {
    upstream = ReplayUpstream.start(Racers.answers(), DemoOptions.defaults());
    site = GatewaySite.start(dir, 1, "2s", "5s");
    List<InetSocketAddress> targets = new ArrayList<>();
    long from = SYSTEM.millis();
    for (Map.Entry<String, Long> e : SKEW.entrySet()) {
      GatewaySite.Node n =
          site.add(
              e.getKey(),
              c ->
                  c.tenant("acme", "day", "300KB")
                      .tenant("warm", "day", "10MB")
                      .reverse("api", upstream.rootUrl()));
      ConfigResult config = ConfigLoader.load(n.config);
      assertThat(config.errors()).isEmpty();
      SluiceNode node = SluiceNode.start(config.config(), new SkewedClock(e.getValue()));
      nodes.add(node);
      targets.add(node.gateway().addresses().get("api"));
    }
    int answers = upstream.answers().size();
    Racers.warmUp(targets, "warm", upstream.answers());

    List<Exchange> exchanges = new ArrayList<>(Racers.race(targets, "acme", answers, 96, 4, 11));
    long left = CAP;
    for (int round = 0; round < 8 && left >= LEFT_ENOUGH; round++) {
      exchanges.addAll(Racers.drain(targets, "acme", answers, 200));
      assertThat(site.awaitNoOpenSets(Duration.ofSeconds(20)))
          .as("every escrow set settled after drain round %d", round)
          .isTrue();
      left = CAP - site.dayCounter(TENANT_NODE);
    }

    String summary = Racers.summary(exchanges) + " in " + dir;
    for (Exchange e : exchanges) {
      int status = e.response().status();
      assertThat(status).as("%s: %s", summary, e.response()).isIn(200, 429, -1);
      if (status == 429) {
        Racers.assertIsBudgetExhausted(e.response(), TENANT_NODE);
      }
    }
    long paid = Racers.tenantBytes(exchanges);
    assertThat(paid).as("bytes on 200s of all nodes: %s", summary).isLessThanOrEqualTo(CAP);
    long counter = site.dayCounter(TENANT_NODE);
    assertThat(counter).isGreaterThanOrEqualTo(paid).isLessThanOrEqualTo(CAP);
    assertThat(site.daySent(TENANT_NODE)).isGreaterThanOrEqualTo(paid).isLessThanOrEqualTo(counter);

    // Nothing is held: nothing beyond cap - counter can be granted, so longer answers get 429.
    List<Integer> tooBig = new ArrayList<>();
    for (int i = 0; i < answers && tooBig.size() < 2; i++) {
      if (upstream.answers().get(i).text().length() > CAP - counter) {
        tooBig.add(i);
      }
    }
    assertThat(tooBig).as("answers longer than the %d bytes left", CAP - counter).hasSize(2);
    for (InetSocketAddress t : targets) {
      for (int i : tooBig) {
        Racers.assertIsBudgetExhausted(Racers.chat(t, "acme", i, false), TENANT_NODE);
      }
    }

    // Each node granted on its own clock: its grants' expiries are its time + grant_ttl.
    long to = SYSTEM.millis();
    for (int i = 0; i < nodes.size(); i++) {
      String id = new ArrayList<>(SKEW.keySet()).get(i);
      long skew = SKEW.get(id);
      List<Long> grantedAt = new ArrayList<>();
      for (JsonNode g : ledger(site.node(id).dataDir, "grant")) {
        grantedAt.add(g.path("fields").path("expires_at").asLong() - GRANT_TTL_MILLIS);
      }
      assertThat(grantedAt).as("grants of %s", id).isNotEmpty();
      assertThat(grantedAt)
          .as("grant times of %s (clock %+d ms) within the test's [%d, %d]", id, skew, from, to)
          .allSatisfy(t -> assertThat(t - skew).isBetween(from - 1_000, to + 1_000));
    }
  }

  /** The entries of {@code type} in the ledger of {@code data}, via {@code sluice ledger tail}. */
  private List<JsonNode> ledger(Path data, String type) throws Exception {
    SluiceCommand.Result tail =
        SluiceCommand.run(dir, "ledger", "tail", data.toString(), "-n", "100000", "--json");
    assertThat(tail.exitCode()).as(tail.describe()).isZero();
    List<JsonNode> out = new ArrayList<>();
    for (String line : tail.stdout().split("\n")) {
      JsonNode e = JSON.readTree(line);
      if (e.path("type").asText().equals(type)) {
        out.add(e);
      }
    }
    return out;
  }
}
