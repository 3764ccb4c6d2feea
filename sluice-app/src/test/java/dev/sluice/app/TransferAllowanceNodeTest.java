package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cluster.EtcdCluster;
import dev.sluice.time.Clock;
import dev.sluice.time.ManualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approved transfers outlive the request that allowed them (decision 0023): on the local store a
 * restarted node honours the allowances it had, unless they expired meanwhile; with the etcd store
 * an allowance made through node a is honoured by node b, which never saw the request.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransferAllowanceNodeTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> open = new ArrayList<>();
  private TestUpstream upstream;
  private TransferApprovals operators;

  @BeforeEach
  void setUp() throws Exception {
    upstream = new TestUpstream();
    open.add(upstream);
    operators = new TransferApprovals();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** A zone whose max_transfer is 1000 bytes, two operators, approvals: 2. */
  private String yaml(Path data, String store) {
    return NodeFixture.reverseYaml(data, upstream.port(), "50MB", "enforce")
            .replace("    inference:\n", "    inference:\n      max_transfer: 1000\n")
        + store
        + operators.changeControl();
  }

  private SluiceNode start(String yaml, Clock clock) throws Exception {
    SluiceNode n = SluiceNode.start(NodeFixture.config(yaml), clock);
    open.add(n);
    return n;
  }

  private int pull(SluiceNode node, int bytes) throws Exception {
    int port = node.gateway().address("api").getPort();
    HttpRequest r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/bytes?n=" + bytes))
            .header("X-Tenant", "acme")
            .timeout(WAIT)
            .build();
    return http.send(r, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
  }

  private HttpResponse<String> allow(SluiceNode node, long expiresSeconds) throws Exception {
    return operators.allow(node, 100_000, "/bytes", expiresSeconds);
  }

  @Test
  void aRestartedNodeHonoursItsUnexpiredAllowancesAndNotExpiredOnes() throws Exception {
    ManualClock clock = ManualClock.at("2026-12-06T10:00:00Z");
    String yaml = yaml(dir.resolve("data"), "");
    SluiceNode node = start(yaml, clock);
    assertThat(pull(node, 5000)).isEqualTo(413);
    HttpResponse<String> allowed = allow(node, clock.millis() / 1000 + 600);
    assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(201);
    assertThat(pull(node, 5000)).isEqualTo(200);
    assertThat(Files.readString(dir.resolve("data/transfers")))
        .startsWith("sluice-transfers-v1\n")
        .contains(" inference,acme,100000,/bytes ");

    node.close();
    node = start(yaml, clock);
    assertThat(pull(node, 5000)).as("after a restart").isEqualTo(200);
    assertThat(pull(node, 200_000)).as("above the allowance").isEqualTo(413);

    node.close();
    clock.advance(Duration.ofMinutes(10));
    node = start(yaml, clock);
    assertThat(pull(node, 5000)).as("after a restart past the expiry").isEqualTo(413);
  }

  @Test
  void theApprovalsThatCountedAreKeptNotOthersByTheSameOperator() throws Exception {
    ManualClock clock = ManualClock.at("2026-12-06T10:00:00Z");
    String yaml = yaml(dir.resolve("data"), "");
    SluiceNode node = start(yaml, clock);
    long now = clock.millis() / 1000;
    // Alice's expired approval comes first; it does not count, her valid one does.
    HttpResponse<String> allowed =
        operators.post(
            node,
            TransferApprovals.approval(operators.alice, node, 100_000, "/bytes", now - 60).encode()
                + TransferApprovals.approval(operators.alice, node, 100_000, "/bytes", now + 600)
                    .encode()
                + TransferApprovals.approval(operators.bob, node, 100_000, "/bytes", now + 600)
                    .encode());
    assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(201);
    assertThat(allowed.body()).contains("2026-12-06T10:10:00Z");
    assertThat(pull(node, 5000)).isEqualTo(200);
    node.close();
    node = start(yaml, clock);
    assertThat(pull(node, 5000)).as("after a restart").isEqualTo(200);
  }

  @Test
  void aRestartWithAnotherConfigurationDropsTheAllowance() throws Exception {
    ManualClock clock = ManualClock.at("2026-12-06T10:00:00Z");
    String yaml = yaml(dir.resolve("data"), "");
    SluiceNode node = start(yaml, clock);
    assertThat(allow(node, clock.millis() / 1000 + 600).statusCode()).isEqualTo(201);
    node.close();
    node = start(yaml.replace("cap: 50MB", "cap: 40MB"), clock);
    assertThat(pull(node, 5000)).as("approvals bound to the previous file").isEqualTo(413);
  }

  @Test
  void anAllowanceMadeThroughOneNodeIsHonouredByAnotherSharingTheEtcdPrefix() throws Exception {
    EtcdCluster etcd = EtcdCluster.start(dir.resolve("etcd"), 1);
    open.add(etcd);
    String endpoints = etcd.clientUrls().get(0).toString();
    Clock clock = Clock.system();
    List<SluiceNode> nodes = new ArrayList<>();
    for (String id : List.of("a", "b")) {
      nodes.add(start(yaml(dir.resolve(id), storeOf(id, endpoints)), clock));
    }
    SluiceNode a = nodes.get(0);
    SluiceNode b = nodes.get(1);
    assertThat(pull(b, 5000)).isEqualTo(413);

    long asked = System.nanoTime();
    HttpResponse<String> allowed = allow(a, clock.millis() / 1000 + 600);
    long answered = System.nanoTime();
    assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(201);
    assertThat(EtcdCluster.poll(WAIT, () -> allowedOn(b))).isTrue();
    long honoured = System.nanoTime();
    System.out.printf(
        "fleet transfer allowance: allow on a answered in %d ms; b honoured it %d ms later"
            + " (20 ms polls)%n",
        (answered - asked) / 1_000_000, (honoured - answered) / 1_000_000);
    assertThat((honoured - asked) / 1_000_000).as("from the allow to b").isLessThan(1500);
    assertThat(pull(b, 5000)).isEqualTo(200);
    assertThat(pull(a, 5000)).isEqualTo(200);
    assertThat(pull(b, 200_000)).as("above the allowance").isEqualTo(413);

    // b restarted still has it (it is in etcd, not in b's memory).
    b.close();
    SluiceNode b2 = start(yaml(dir.resolve("b"), storeOf("b", endpoints)), clock);
    assertThat(pull(b2, 5000)).isEqualTo(200);

    // etcd gone: no node honours an allowance it cannot confirm, and none can be made.
    etcd.close();
    assertThat(EtcdCluster.poll(WAIT, () -> !allowedOn(b2))).isTrue();
    assertThat(pull(b2, 5000)).isEqualTo(413);
    HttpResponse<String> unreachable = allow(a, clock.millis() / 1000 + 600);
    assertThat(unreachable.statusCode()).as(unreachable.body()).isEqualTo(503);
    assertThat(unreachable.body()).contains("fleet_unreachable");
  }

  private static String storeOf(String id, String endpoints) {
    return "node_id: "
        + id
        + "\nstore: { type: etcd, endpoints: [ \""
        + endpoints
        + "\" ], prefix: /sluice/transfers-test, grant_ttl: 30s, timeout: 1s }\n";
  }

  private static boolean allowedOn(SluiceNode n) {
    return n.transfers().largest("inference", "acme", "/bytes", n.clock().millis()) > 0;
  }
}
