package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.demo.DemoOptions;
import dev.sluice.it.Racers.Exchange;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The race for the last bytes of a shared budget: three {@code sluice run} processes (distinct
 * {@code node_id}, one key prefix) share a tenant's 300 KB day cap in a real etcd (one member, and
 * three), and 96 clients spread round-robin over the three nodes ask for corpus answers, far more
 * than the cap. Every byte the clients receive on {@code 200} responses, counted on the wire and
 * including cut streams, adds up to at most the cap; the tenant's etcd counter, read directly, is
 * at least what the clients received and at most the cap; and once the budget is spent every node
 * answers {@code 429} naming the tenant.
 */
@Timeout(value = 150, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterBudgetRaceTest {
  private static final long CAP = 300_000;
  private static final String TENANT_NODE = "tenant:inference/acme";
  private static final int CLIENTS = 96;
  private static final int REQUESTS_EACH = 4;
  private static final List<String> NODES = List.of("a", "b", "c");

  /** Drain until less than this is left in etcd: shorter than most answers. */
  private static final long LEFT_ENOUGH = 500;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private ReplayUpstream upstream;
  private GatewaySite site;

  @AfterEach
  void stop() {
    if (site != null) {
      site.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @ParameterizedTest(name = "{0}-member etcd")
  @ValueSource(ints = {1, 3})
  void threeNodesTogetherNeverSendMoreThanTheCap(int members) throws Exception {
    upstream = ReplayUpstream.start(Racers.answers(), DemoOptions.defaults());
    site = GatewaySite.start(dir, members, "2s", "5s");
    for (String id : NODES) {
      site.add(
          id,
          c ->
              c.tenant("acme", "day", "300KB")
                  .tenant("warm", "day", "10MB")
                  .reverse("api", upstream.rootUrl()));
    }
    site.startAll();
    List<InetSocketAddress> targets = new ArrayList<>();
    for (String id : NODES) {
      targets.add(site.process(id).listener("api"));
    }
    int answers = upstream.answers().size();
    // A first request on every node (another tenant), so no node starts the race cold.
    Racers.warmUp(targets, "warm", upstream.answers());

    List<Exchange> exchanges =
        new ArrayList<>(Racers.race(targets, "acme", answers, CLIENTS, REQUESTS_EACH, members));
    // Streams eat what the race left, round-robin until every node refuses one; escrow the other
    // nodes held meanwhile comes back when their sets expire, and is eaten by the next round.
    long left = CAP;
    for (int round = 0; round < 8 && left >= LEFT_ENOUGH; round++) {
      exchanges.addAll(Racers.drain(targets, "acme", answers, 200));
      assertThat(site.awaitNoOpenSets(Duration.ofSeconds(20)))
          .as("every escrow set settled after drain round %d", round)
          .isTrue();
      left = CAP - site.dayCounter(TENANT_NODE);
    }
    assertThat(left).as("bytes left unspent in etcd with no escrow held").isLessThan(LEFT_ENOUGH);

    int ok = 0;
    int cut = 0;
    int refused = 0;
    Set<Integer> refusingNodes = new TreeSet<>();
    Set<Integer> servingNodes = new TreeSet<>();
    for (Exchange e : exchanges) {
      RawHttp.Response r = e.response();
      switch (r.status()) {
        case 200 -> {
          servingNodes.add(e.node());
          if (r.complete()) {
            ok++;
            assertThat(RawHttp.answerText(r))
                .as("a whole answer is the corpus answer")
                .isEqualTo(upstream.answers().get(e.index()).text());
          } else {
            cut++;
          }
        }
        case 429 -> {
          refused++;
          refusingNodes.add(e.node());
          Racers.assertIsBudgetExhausted(r, TENANT_NODE);
        }
        case -1 -> cut++;
        default -> throw new AssertionError("unexpected response from node " + e.node() + ": " + r);
      }
    }
    long paid = Racers.tenantBytes(exchanges);
    String summary = Racers.summary(exchanges) + " in " + dir;
    assertThat(servingNodes).as("nodes that served 200s: %s", summary).hasSizeGreaterThan(1);
    assertThat(refusingNodes).as("nodes that answered 429: %s", summary).containsExactly(0, 1, 2);
    assertThat(paid)
        .as("bytes on 200 responses of all nodes (%d whole, %d cut, %d refused)", ok, cut, refused)
        .isLessThanOrEqualTo(CAP);

    long counter = site.dayCounter(TENANT_NODE);
    assertThat(counter)
        .as("the tenant's etcd counter against %d bytes received", paid)
        .isGreaterThanOrEqualTo(paid)
        .isLessThanOrEqualTo(CAP);
    // Every set is settled: the sent counter is what the nodes charged, at least what arrived.
    assertThat(site.daySent(TENANT_NODE))
        .as("the tenant's etcd sent counter against %d bytes received", paid)
        .isGreaterThanOrEqualTo(paid)
        .isLessThanOrEqualTo(counter);

    for (String id : NODES) {
      JsonNode budgets = new AdminApi(site.process(id)).budgets();
      assertThat(budgets.path("store").path("type").asText()).isEqualTo("etcd");
      assertThat(budgets.path("store").path("node_id").asText()).isEqualTo(id);
      List<String> gatewayNodes = new ArrayList<>();
      for (JsonNode g : budgets.path("gateway_nodes")) {
        if (g.path("live").asBoolean()) {
          gatewayNodes.add(g.path("node_id").asText());
        }
      }
      assertThat(gatewayNodes).as("live gateway nodes seen by %s", id).containsAll(NODES);
      JsonNode tenant = AdminApi.limit(budgets, TENANT_NODE, "day");
      assertThat(tenant.path("cap").asLong()).isEqualTo(CAP);
      assertThat(tenant.path("spent").asLong())
          .as("spent of the tenant seen by node %s", id)
          .isLessThanOrEqualTo(CAP);
    }

    // No node holds escrow, so nothing beyond cap - counter can be granted to anyone: every answer
    // longer than that is refused with 429 by every node.
    left = CAP - site.dayCounter(TENANT_NODE);
    List<Integer> tooBig = new ArrayList<>();
    for (int i = 0; i < answers && tooBig.size() < 3; i++) {
      if (upstream.answers().get(i).text().length() > left) {
        tooBig.add(i);
      }
    }
    assertThat(tooBig).as("answers longer than the %d bytes left", left).hasSize(3);
    for (int node = 0; node < targets.size(); node++) {
      for (int i : tooBig) {
        RawHttp.Response later = Racers.chat(targets.get(node), "acme", i, false);
        Racers.assertIsBudgetExhausted(later, TENANT_NODE);
        assertThat(later.eof()).isTrue();
      }
    }
  }
}
