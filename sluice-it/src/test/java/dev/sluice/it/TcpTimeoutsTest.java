package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code sluice run}'s {@code tcp} listener with short timeouts: a connection that passes no
 * byte either way for {@code timeouts.tunnel_idle} is closed on both sides, and one whose upstream
 * does not accept within {@code timeouts.upstream_connect} is closed; each is the connection's
 * logged reason and counted in {@code /metrics}. Sockets wait at most 10 s for the gateway.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TcpTimeoutsTest {

  @TempDir Path dir;
  private SluiceProcess sluice;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    if (sluice != null) {
      sluice.close();
    }
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  void aQuietConnectionIsClosedOnBothSides() throws Exception {
    ServerSocket upstream = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    open.add(upstream);
    CompletableFuture<String> upstreamGot =
        CompletableFuture.supplyAsync(
            () -> {
              try (Socket s = upstream.accept()) {
                return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
              } catch (IOException e) {
                return "failed: " + e;
              }
            });
    start(upstream.getLocalPort(), "{ tunnel_idle: 500ms }");
    try (Socket client = connect()) {
      client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().flush();
      assertThat(client.getInputStream().read()).as("closed by the gateway").isEqualTo(-1);
    }
    assertThat(upstreamGot.get(10, TimeUnit.SECONDS)).isEqualTo("ping"); // then its end
    assertThat(connectionLine()).contains(" reason=tunnel_idle_timeout ");
    assertThat(closedMetric("tunnel_idle_timeout")).isEqualTo(1);
  }

  @Test
  void anUpstreamThatDoesNotAcceptClosesTheClient() throws Exception {
    // A listening socket whose accept queue is full drops further SYNs: connecting hangs.
    ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    open.add(full);
    for (int i = 0; i < 4; i++) {
      Socket s = new Socket();
      open.add(s);
      try {
        s.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()), 200);
      } catch (IOException e) {
        break; // the queue is full
      }
    }
    start(full.getLocalPort(), "{ upstream_connect: 300ms }");
    try (Socket client = connect()) {
      assertThat(client.getInputStream().read()).as("closed by the gateway").isEqualTo(-1);
    }
    assertThat(connectionLine()).contains(" decision=error reason=upstream_connect_timeout ");
    assertThat(closedMetric("upstream_connect_timeout")).isEqualTo(1);
  }

  private Socket connect() throws IOException {
    Socket client = new Socket();
    client.connect(sluice.listener("tcp"), 5_000);
    client.setSoTimeout(10_000);
    return client;
  }

  private double closedMetric(String reason) throws Exception {
    return AdminApi.metric(
        new AdminApi(sluice).metrics(),
        "sluice_connections_closed_total{listener=\"tcp\",reason=\"" + reason + "\"}");
  }

  private void start(int upstreamPort, String timeouts) throws Exception {
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        """
        site: it
        model: { name: it-model, weight_bytes: 10GB }
        mode: enforce
        time_zone: "%s"
        data_dir: "%s"
        budgets:
          limits: [ { window: day, cap: 1GB } ]
          control_allowance: 1MiB
          zones:
            inference:
              tenants:
                stream: {}
        listeners:
          - name: tcp
            mode: tcp
            bind: 127.0.0.1:0
            upstream: "127.0.0.1:%d"
            zone: inference
            egress: upstream
            tenants_by_source: { "127.0.0.0/8": stream }
            timeouts: %s
        admin: { bind: 127.0.0.1:0 }
        """
            .formatted(TestConfig.ZONE.getId(), dir.resolve("data"), upstreamPort, timeouts),
        StandardCharsets.UTF_8);
    sluice = SluiceProcess.start(config, dir);
  }

  /** The {@code sluice.connection} line of the one connection, once the node has logged it. */
  private String connectionLine() throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      for (String l : sluice.stderr().split("\n")) {
        if (l.contains("sluice.connection") && l.contains("listener=tcp")) {
          return l;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no connection line in\n" + sluice.stderr());
  }
}
