package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.codec.CodecModel;
import dev.sluice.gateway.edge.EdgeServer;
import dev.sluice.gateway.forward.TestCertificates;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.store.BudgetReport;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An edge link over TLS: a {@code peer: edge} reverse listener with {@code tls:} and an in-process
 * {@link EdgeServer} that verifies the gateway's certificate against its CA and server name. The
 * TLS connection carries the link, and its records are charged with it.
 */
@Timeout(60)
class EdgeTlsTest {

  @TempDir Path dir;
  private SluiceNode node;
  private TestUpstream upstream;
  private TestCertificates certs;
  private Path cert;

  @BeforeEach
  void up() throws Exception {
    upstream = new TestUpstream();
    certs = TestCertificates.selfSigned(dir, "localhost");
    cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    certs.writePem(cert, key);
    node =
        NodeFixture.start(
            """
            site: test
            model: { name: m, weight_bytes: 10GB }
            data_dir: %s
            budgets:
              limits: [ { window: lifetime, cap: 1GB } ]
              zones:
                inference:
                  tenants:
                    default: { limits: [ { window: lifetime, cap: 10MB } ] }
            admin: { bind: 127.0.0.1:0 }
            escrow: { min_chunk: 1KiB, max_chunk: 16KiB }
            listeners:
              - name: api
                mode: reverse
                bind: 127.0.0.1:0
                upstream: http://127.0.0.1:%d
                zone: inference
                peer: edge
                tls: { cert: %s, key: %s }
            """
                .formatted(dir.resolve("data"), upstream.port(), cert, key));
  }

  @AfterEach
  void down() {
    if (node != null) {
      node.close(Duration.ofSeconds(2));
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private EdgeServer edge(String serverName) throws Exception {
    int port = node.gateway().address("api").getPort();
    return EdgeServer.start(
        new InetSocketAddress("127.0.0.1", 0),
        new EdgeServer.Upstream(
            "127.0.0.1",
            port,
            SslContextBuilder.forClient().trustManager(cert.toFile()).build(),
            serverName),
        CodecModel.builtIn(),
        Transport.nio());
  }

  /** GET through the edge with Connection: close; the bytes, or null if the client was reset. */
  private static byte[] get(InetSocketAddress edge, String path) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(edge, 5000);
      s.setSoTimeout(20_000);
      s.getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n = s.getInputStream().read(buf); n >= 0; n = s.getInputStream().read(buf)) {
          got.write(buf, 0, n);
        }
      } catch (SocketException reset) {
        return null;
      }
      return got.toByteArray();
    }
  }

  @Test
  void theLinkRunsOverTlsAndTheTlsRecordsAreCharged() throws Exception {
    try (EdgeServer edge = edge("localhost")) {
      byte[] r = get(edge.address(), "/bytes?n=5000");
      assertThat(r).isNotNull();
      String text = new String(r, StandardCharsets.ISO_8859_1);
      assertThat(text).startsWith("HTTP/1.1 200 ");
      assertThat(text.substring(text.indexOf("\r\n\r\n") + 4)).hasSize(5000);
    }
    BudgetReport report = BudgetReport.of(node.tree(), node.store(), node.escrow());
    long sent = report.node("tenant:inference/default").limits().get(0).sent();
    // The tenant pays its share of the link's frames, TLS records included (22 bytes a record with
    // TLS 1.3), exactly what the edge stats count as its wire bytes; the raw response was more
    // than its 5,000-byte body. The link's own bytes, the TLS handshake first, are the control
    // allowance's.
    long raw = node.stats().edge().tenant("tenant:inference/default").raw.sum();
    long wire = node.stats().edge().tenant("tenant:inference/default").wire.sum();
    assertThat(raw).isGreaterThan(5000);
    assertThat(sent).isEqualTo(wire).isGreaterThan(22);
    java.util.List<String> control = node.tree().controlPath().nodeIds();
    assertThat(report.node(control.get(control.size() - 1)).limits().get(0).sent())
        .as("the TLS handshake, paid from the control allowance")
        .isGreaterThan(1000);
  }

  @Test
  void aGatewayWhoseCertificateDoesNotNameTheServerIsNotTrusted() throws Exception {
    try (EdgeServer edge = edge("gateway.example")) {
      assertThat(get(edge.address(), "/bytes?n=10")).isNull();
    }
  }
}
