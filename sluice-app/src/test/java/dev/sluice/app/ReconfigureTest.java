package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.config.SluiceConfig;
import dev.sluice.time.Clock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SluiceNode#reconfigure} with real sockets: a kept listener keeps its port and its stream,
 * a removed listener stops accepting and its stream is cut after the drain, an added one is bound,
 * and a configuration whose listener cannot bind changes nothing.
 */
class ReconfigureTest {

  @TempDir Path dir;
  TestUpstream upstream;
  SluiceNode node;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

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

  /** Reverse listeners named and bound as given ({@code name=host:port}), acme's day cap. */
  private SluiceConfig config(String acmeCap, String... listeners) {
    String yaml = NodeFixture.reverseYaml(dir, upstream.port(), acmeCap, "enforce");
    StringBuilder ls = new StringBuilder("listeners:\n");
    for (String l : listeners) {
      String[] nb = l.split("=");
      ls.append("  - name: ")
          .append(nb[0])
          .append("\n    mode: reverse\n    bind: ")
          .append(nb[1])
          .append("\n    upstream: http://127.0.0.1:")
          .append(upstream.port())
          .append("\n    zone: inference\n    tenant_header: X-Tenant\n");
    }
    int from = yaml.indexOf("listeners:\n");
    int to = yaml.indexOf("admin:");
    return NodeFixture.config(yaml.substring(0, from) + ls + yaml.substring(to));
  }

  private BufferedReader stream(String listener) throws Exception {
    InetSocketAddress a = node.gateway().address(listener);
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + a.getPort() + "/slow?events=100"))
                .header("X-Tenant", "acme")
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    return new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
  }

  /** Lets the upstream write one more event on one stream and reads it. */
  private String nextEvent(BufferedReader in) throws IOException {
    upstream.tokens.add(1);
    String line = in.readLine();
    in.readLine();
    return line;
  }

  private static boolean refuses(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  void keptListenersKeepTheirSocketAndStreamsRemovedOnesDrainAddedOnesBind() throws Exception {
    node = SluiceNode.start(config("1MB", "api=127.0.0.1:0", "old=127.0.0.1:0"), Clock.system());
    int api = node.gateway().address("api").getPort();
    int old = node.gateway().address("old").getPort();
    BufferedReader kept = stream("api");
    assertThat(nextEvent(kept)).isEqualTo("data: {\"i\":0}");
    // On the listener to be removed: a large answer the client does not read, so its exchange
    // is still in progress when the drain deadline comes.
    Socket dropped = new Socket();
    dropped.setReceiveBufferSize(4096);
    dropped.connect(new InetSocketAddress("127.0.0.1", old), 2_000);
    dropped
        .getOutputStream()
        .write(
            "GET /bytes?n=8000000 HTTP/1.1\r\nHost: x\r\nX-Tenant: default\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
    await(() -> node.stats().listener("old").bytesOut.sum() > 0);
    awaitOpenConnections(2);
    String before = node.config().sha256Hex();

    // A listener that cannot bind: nothing changes, nothing added stays bound.
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      SluiceConfig clash =
          NodeRunner.pin(
              config(
                  "500KB",
                  "api=127.0.0.1:0",
                  "new=127.0.0.1:0",
                  "clash=127.0.0.1:" + taken.getLocalPort()),
              node);
      Throwable t = catchThrowable(() -> node.reconfigure(clash, Duration.ofMillis(300)));
      assertThat(t).isInstanceOf(NodeStartException.class).hasMessageContaining("clash");
    }
    assertThat(node.config().sha256Hex()).isEqualTo(before);
    assertThat(node.gateway().addresses()).containsOnlyKeys("api", "old");
    assertThat(node.tree().node("tenant:inference/acme").limits().get(0).cap())
        .isEqualTo(1_000_000);
    assertThat(nextEvent(kept)).isEqualTo("data: {\"i\":1}");
    assertThat(node.gateway().openConnections()).isEqualTo(2);

    SluiceConfig next = NodeRunner.pin(config("500KB", "api=127.0.0.1:0", "new=127.0.0.1:0"), node);
    String token = dev.sluice.admin.AdminToken.read(node.admin().tokenFile());
    node.reconfigure(next, Duration.ofMillis(300));
    assertThat(dev.sluice.admin.AdminToken.read(node.admin().tokenFile()))
        .as("the admin token is kept")
        .isEqualTo(token);
    assertThat(node.admin().token().matches(token)).isTrue();
    assertThat(node.config()).isSameAs(next);
    assertThat(node.gateway().address("api").getPort()).isEqualTo(api);
    assertThat(node.gateway().addresses()).containsOnlyKeys("api", "new");
    assertThat(node.tree().node("tenant:inference/acme").limits().get(0).cap()).isEqualTo(500_000);
    assertThat(refuses(old)).as("the removed listener's port").isTrue();
    assertThat(refuses(node.gateway().address("new").getPort())).isFalse();

    // The removed listener's exchange is cut at the drain deadline; the kept stream goes on.
    awaitOpenConnections(1);
    dropped.close();
    for (int i = 2; i < 6; i++) {
      assertThat(nextEvent(kept)).isEqualTo("data: {\"i\":" + i + "}");
    }
    await(() -> node.cutAtReload() == 1);
    assertThat(node.cutAtReload()).isEqualTo(1);
    // Its listener's counters go on; the new listener has its own.
    assertThat(node.stats().listeners()).containsKeys("api", "old", "new");
    assertThat(next.sha256Hex()).isNotEqualTo(before);
  }

  /** Waits (at most 10 s) until the gateway has {@code n} connections open. */
  private void awaitOpenConnections(int n) {
    await(() -> node.gateway().openConnections() == n);
    assertThat(node.gateway().openConnections()).as("connections open").isEqualTo(n);
  }

  /** Waits for {@code condition}, at most 10 s on the clock. */
  private static void await(java.util.function.BooleanSupplier condition) {
    Clock clock = Clock.system();
    long deadline = clock.nanos() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean() && clock.nanos() - deadline < 0) {
      Thread.onSpinWait();
    }
  }
}
