package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.forward.TestCertificates;
import dev.sluice.store.BudgetReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reverse TLS termination, round robin past a refusing upstream, and tcp listeners. */
class ListenerVariantsTest {

  @TempDir Path dir;
  SluiceNode node;
  TestUpstream upstream;

  @AfterEach
  void down() {
    if (node != null) {
      node.close(Duration.ofSeconds(2));
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static String head(Path dataDir, String tenantCap) {
    return """
        site: test
        model: { name: m, weight_bytes: 10GB }
        data_dir: %s
        budgets:
          limits: [ { window: lifetime, cap: 1GB } ]
          zones:
            inference:
              tenants:
                default: { limits: [ { window: lifetime, cap: %s } ] }
        admin: { bind: 127.0.0.1:0 }
        escrow: { min_chunk: 1KiB, max_chunk: 16KiB }
        """
        .formatted(dataDir, tenantCap);
  }

  private long sent(String nodeId) {
    BudgetReport r = BudgetReport.of(node.tree(), node.store(), node.escrow());
    return r.node(nodeId).limits().get(0).sent();
  }

  private static int refusedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void reverseTerminatesTlsAndChargesTheTlsRecords() throws Exception {
    upstream = new TestUpstream();
    TestCertificates certs = TestCertificates.selfSigned(dir, "localhost");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    certs.writePem(cert, key);
    node =
        NodeFixture.start(
            head(dir.resolve("data"), "10MB")
                + """
                listeners:
                  - name: api
                    mode: reverse
                    bind: 127.0.0.1:0
                    upstream: http://127.0.0.1:%d
                    zone: inference
                    tls: { cert: %s, key: %s }
                """
                    .formatted(upstream.port(), cert, key));
    HttpClient https =
        HttpClient.newBuilder()
            .sslContext(certs.clientContext)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    int port = node.gateway().address("api").getPort();
    HttpResponse<String> r =
        https.send(
            HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/bytes?n=5000"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(5000);
    // Handshake and record overhead are egress too: more than the plaintext was charged.
    assertThat(sent("tenant:inference/default")).isGreaterThan(5000 + 200);
  }

  @Test
  void roundRobinSkipsAnUpstreamThatRefuses() throws Exception {
    upstream = new TestUpstream();
    node =
        NodeFixture.start(
            head(dir, "10MB")
                + """
                listeners:
                  - name: api
                    mode: reverse
                    bind: 127.0.0.1:0
                    upstream: [ "http://127.0.0.1:%d", "http://127.0.0.1:%d" ]
                    zone: inference
                """
                    .formatted(refusedPort(), upstream.port()));
    int port = node.gateway().address("api").getPort();
    for (int i = 0; i < 6; i++) {
      // A new client each time: a new connection, so a new upstream pick.
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/bytes?n=10"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("request %d", i).isEqualTo(200);
    }
  }

  /** A server that counts what it receives and sends {@code reply} bytes on connect. */
  private static final class Sink implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    final CompletableFuture<Long> received = new CompletableFuture<>();

    Sink(int reply) throws IOException {
      Thread t =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  OutputStream out = s.getOutputStream();
                  out.write(new byte[reply]);
                  out.flush();
                  s.shutdownOutput();
                  received.complete(s.getInputStream().transferTo(OutputStream.nullOutputStream()));
                } catch (IOException e) {
                  received.completeExceptionally(e);
                }
              },
              "sink");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  private String tcpListener(int sinkPort, String egress) {
    return """
        listeners:
          - name: bulk
            mode: tcp
            bind: 127.0.0.1:0
            upstream: 127.0.0.1:%d
            zone: inference
            egress: %s
        """
        .formatted(sinkPort, egress);
  }

  private long sendThrough(int bytes, ByteArrayOutputStream back) throws IOException {
    try (Socket s =
        new Socket(InetAddress.getLoopbackAddress(), node.gateway().address("bulk").getPort())) {
      s.getOutputStream().write(new byte[bytes]);
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      return in.transferTo(back);
    }
  }

  @Test
  void tcpChargesTheUpstreamDirectionWhenThatIsEgress() throws Exception {
    try (Sink sink = new Sink(300)) {
      node =
          NodeFixture.start(
              head(dir, "10MB") + tcpListener(sink.server.getLocalPort(), "upstream"));
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      sendThrough(200_000, back);
      assertThat(sink.received.get(10, TimeUnit.SECONDS)).isEqualTo(200_000);
      assertThat(back.size()).isEqualTo(300);
      assertThat(sent("tenant:inference/default")).isEqualTo(200_000);
    }
  }

  @Test
  void tcpChargesTheClientDirectionWhenThatIsEgress() throws Exception {
    try (Sink sink = new Sink(50_000)) {
      node =
          NodeFixture.start(head(dir, "10MB") + tcpListener(sink.server.getLocalPort(), "client"));
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      sendThrough(1_000, back);
      assertThat(back.size()).isEqualTo(50_000);
      assertThat(sink.received.get(10, TimeUnit.SECONDS)).isEqualTo(1_000);
      assertThat(sent("tenant:inference/default")).isEqualTo(50_000);
    }
  }

  @Test
  void aTcpTransferIsCutAtTheCap() throws Exception {
    try (Sink sink = new Sink(0)) {
      node =
          NodeFixture.start(
              head(dir, "100KB") + tcpListener(sink.server.getLocalPort(), "upstream"));
      try {
        sendThrough(1_000_000, new ByteArrayOutputStream());
      } catch (IOException expected) {
        // the gateway closed the connection mid-transfer
      }
      long got;
      try {
        got = sink.received.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        got = -1;
      }
      assertThat(got).isBetween(0L, 100_000L);
      assertThat(sent("tenant:inference/default")).isLessThanOrEqualTo(100_000);
    }
  }
}
