package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.store.BudgetReport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReverseProxyTest {

  @TempDir Path dir;
  TestUpstream upstream;
  SluiceNode node;
  HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void up() throws Exception {
    upstream = new TestUpstream();
  }

  @AfterEach
  void down() {
    if (node != null) {
      node.close(Duration.ofSeconds(2));
    }
    upstream.close();
  }

  private URI uri(String path) {
    InetSocketAddress a = node.gateway().address("api");
    return URI.create("http://127.0.0.1:" + a.getPort() + path);
  }

  private HttpResponse<String> get(String path, String tenant) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
    if (tenant != null) {
      b.header("X-Tenant", tenant);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private long sent(String nodeId) {
    BudgetReport r = BudgetReport.of(node.tree(), node.store(), node.escrow());
    return r.node(nodeId).limits().get(0).sent();
  }

  @Test
  void streamsSseAndChargesTheTenant() throws Exception {
    node = NodeFixture.start(NodeFixture.reverseYaml(dir, upstream.port(), "1MB", "enforce"));
    HttpResponse<String> r = get("/sse?events=20", "acme");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"i\":19").endsWith("data: [DONE]\n\n");
    // Every byte the client received (and its framing) was charged to acme.
    assertThat(sent("tenant:inference/acme")).isGreaterThan(r.body().length());
    assertThat(sent("tenant:inference/default")).isZero();
  }

  @Test
  void newClientConnectionsReuseIdleUpstreamConnections() throws Exception {
    node = NodeFixture.start(NodeFixture.reverseYaml(dir, upstream.port(), "1MB", "enforce"));
    java.util.Set<String> ports = new java.util.HashSet<>();
    for (int i = 0; i < 5; i++) {
      // A new client (new connection) each time; one request at a time.
      HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      ports.add(
          fresh
              .send(
                  HttpRequest.newBuilder(uri("/port")).header("X-Tenant", "acme").build(),
                  HttpResponse.BodyHandlers.ofString())
              .body());
    }
    // Connections are pooled per event loop: at most one per loop was ever opened.
    assertThat(ports.size()).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors() * 2);
    assertThat(ports.size()).isLessThan(5);
  }

  @Test
  void unknownTenantFallsBackToDefault() throws Exception {
    node = NodeFixture.start(NodeFixture.reverseYaml(dir, upstream.port(), "1MB", "enforce"));
    HttpResponse<String> r = get("/echo", "nobody");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(sent("tenant:inference/default")).isPositive();
  }

  @Test
  void aSpentBudgetIsA429WithTheNodeWindowAndReset() throws Exception {
    node = NodeFixture.start(NodeFixture.reverseYaml(dir, upstream.port(), "20KB", "enforce"));
    int ok = 0;
    HttpResponse<String> last = null;
    for (int i = 0; i < 50; i++) {
      last = get("/bytes?n=3000", "acme");
      if (last.statusCode() != 200) {
        break;
      }
      ok++;
    }
    assertThat(ok).isBetween(1, 7);
    assertThat(last.statusCode()).isEqualTo(429);
    assertThat(last.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(last.body())
        .contains("\"type\":\"egress_budget_exhausted\"")
        .contains("\"node\":\"tenant:inference/acme\"")
        .contains("\"window\":\"day\"")
        .contains("\"resets_at\":\"");
    assertThat(sent("tenant:inference/acme")).isLessThanOrEqualTo(20_000);
  }
}
