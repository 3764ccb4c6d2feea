package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaltReportDrainTest {

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
    return URI.create("http://127.0.0.1:" + node.gateway().address("api").getPort() + path);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).header("X-Tenant", "acme").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private BufferedReader stream(String path) throws Exception {
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(uri(path)).header("X-Tenant", "acme").build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    return new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
  }

  /** Lets the upstream write one more event and reads it (an event and its blank line). */
  private String nextEvent(BufferedReader in) throws IOException {
    upstream.tokens.add(1);
    String line = in.readLine();
    in.readLine();
    return line;
  }

  private List<LedgerEntry> entries(EntryType t) throws IOException {
    List<LedgerEntry> out = new ArrayList<>();
    try (LedgerReader r = LedgerReader.open(dir)) {
      r.forEach(
          e -> {
            if (e.entry().type() == t) {
              out.add(e.entry());
            }
          });
    }
    return out;
  }

  @Test
  void aHaltCutsAStreamInFlightAtItsNextByte() throws Exception {
    node = NodeFixture.start(NodeFixture.reverseYaml(dir, upstream.port(), "1MB", "enforce"));
    BufferedReader in = stream("/slow?events=100");
    for (int i = 0; i < 3; i++) {
      assertThat(nextEvent(in)).isEqualTo("data: {\"i\":" + i + "}");
    }
    node.halts().halt(null, "incident 42", node.clock().millis());
    upstream.tokens.add(1);
    assertThat(upstream.written.tryAcquire(4, 10, TimeUnit.SECONDS)).isTrue();
    // The event written by the upstream after the halt never reaches the client.
    Throwable t = catchThrowable(() -> assertThat(in.readLine()).isNull());
    if (t != null) {
      assertThat(t).isInstanceOf(IOException.class);
    }
    HttpResponse<String> refused = get("/bytes?n=10");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).contains("\"type\":\"egress_halted\"").contains("incident 42");
    node.halts().resume(null);
    assertThat(get("/bytes?n=10").statusCode()).isEqualTo(200);
    node.close(Duration.ofSeconds(2));
    assertThat(entries(EntryType.DENY))
        .anySatisfy(e -> assertThat(e.getString("reason")).isEqualTo("egress_halted"));
  }

  @Test
  void reportModeLetsOverBudgetBytesThroughAndLedgersWouldDeny() throws Exception {
    node = NodeFixture.start(NodeFixture.reverseYaml(dir, upstream.port(), "2KB", "report"));
    HttpResponse<String> r = get("/bytes?n=10000");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(10_000);
    assertThat(node.stats().listener("api").wouldDenyBytes.sum()).isPositive();
    node.close(Duration.ofSeconds(2));
    assertThat(entries(EntryType.DENY))
        .anySatisfy(e -> assertThat(e.getLong("would_deny", 0)).isEqualTo(1));
  }

  @Test
  void closeDrainsInFlightStreamsAndReturnsEscrow() throws Exception {
    node = NodeFixture.start(NodeFixture.reverseYaml(dir, upstream.port(), "1MB", "enforce"));
    BufferedReader in = stream("/slow?events=5");
    assertThat(nextEvent(in)).isEqualTo("data: {\"i\":0}");
    CompletableFuture<Void> closing =
        CompletableFuture.runAsync(() -> node.close(Duration.ofSeconds(20)));
    for (int i = 1; i < 5; i++) {
      assertThat(nextEvent(in)).isEqualTo("data: {\"i\":" + i + "}");
    }
    assertThat(in.readLine()).isEqualTo("data: [DONE]");
    closing.get(20, TimeUnit.SECONDS);
    assertThat(node.escrow().held()).isZero();
    List<LedgerEntry> stops = entries(EntryType.STOP);
    assertThat(stops)
        .singleElement()
        .satisfies(e -> assertThat(e.getLong("connections_cut")).isZero());
    assertThat(entries(EntryType.CONNECTION)).isNotEmpty();
  }
}
