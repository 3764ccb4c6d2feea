package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cluster.ClusterFixture;
import dev.sluice.codec.CodecModel;
import dev.sluice.gateway.edge.EdgeServer;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code max_transfer} on the streams of an edge link: a chunked response (size unknown) carried as
 * a stream is cut at the zone's limit, ledgered as a {@code deny} {@code transfer_too_large} and
 * counted in the denials; once two operators allow the transfer, the same response goes through
 * whole.
 */
@Timeout(60)
class EdgeMaxTransferTest {

  @TempDir Path dir;
  private SluiceNode node;
  private TestUpstream upstream;
  private TransferApprovals operators;

  @BeforeEach
  void up() throws Exception {
    upstream = new TestUpstream();
    operators = new TransferApprovals();
  }

  /** Starts a node whose zone inference has max_transfer 2000, with {@code listener}. */
  private void start(String listener) throws Exception {
    node =
        SluiceNode.start(
            NodeFixture.config(
                """
                site: test
                model: { name: m, weight_bytes: 10GB }
                data_dir: %s
                budgets:
                  limits: [ { window: lifetime, cap: 1GB } ]
                  zones:
                    inference:
                      max_transfer: 2000
                      tenants:
                        acme: { limits: [ { window: lifetime, cap: 10MB } ] }
                      unknown_destinations: allow
                admin: { bind: 127.0.0.1:0 }
                escrow: { min_chunk: 1KiB, max_chunk: 16KiB }
                listeners:
                """
                        .formatted(dir.resolve("data"))
                    + listener
                    + operators.changeControl()),
            Clock.system());
  }

  private static final String REVERSE =
      """
        - name: api
          mode: reverse
          bind: 127.0.0.1:0
          upstream: http://127.0.0.1:%d
          zone: inference
          tenant_header: X-Tenant
          peer: edge
      """;

  private static final String FORWARD =
      """
        - name: api
          mode: forward
          bind: 127.0.0.1:0
          zone: inference
          tenants_by_source: { "127.0.0.0/8": acme }
          deny_ranges: []
          peer: edge
      """;

  @AfterEach
  void down() {
    if (node != null) {
      node.close(Duration.ofSeconds(2));
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private EdgeServer edge() throws Exception {
    int port = node.gateway().address("api").getPort();
    return EdgeServer.start(
        new InetSocketAddress("127.0.0.1", 0),
        new EdgeServer.Upstream("127.0.0.1", port, null, null),
        CodecModel.builtIn(),
        Transport.nio());
  }

  /** GET through the edge as acme with Connection: close; what the client got (reset: as far). */
  private static String get(InetSocketAddress edge, String path) throws IOException {
    return get(edge, path, "x");
  }

  /** GET {@code target} with Host {@code host} through the edge, as {@link #get}. */
  private static String get(InetSocketAddress edge, String target, String host) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (Socket s = new Socket()) {
      s.connect(edge, 5000);
      s.setSoTimeout(20_000);
      s.getOutputStream()
          .write(
              ("GET "
                      + target
                      + " HTTP/1.1\r\nHost: "
                      + host
                      + "\r\nX-Tenant: acme\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      byte[] buf = new byte[8192];
      try {
        for (int n = s.getInputStream().read(buf); n >= 0; n = s.getInputStream().read(buf)) {
          got.write(buf, 0, n);
        }
      } catch (SocketException reset) {
        // what arrived before the reset is the answer
      }
    }
    return got.toString(StandardCharsets.ISO_8859_1);
  }

  private long denials() {
    LongAdder d = node.stats().denials().get("transfer_too_large");
    return d == null ? 0 : d.sum();
  }

  @Test
  void aStreamAboveMaxTransferIsCutAndLedgeredAndAnAllowedOneGoesThrough() throws Exception {
    start(REVERSE.formatted(upstream.port()));
    try (EdgeServer edge = edge()) {
      // 300 events of ~30 bytes, chunked: ~10 kB, size unknown to the gateway.
      String cut = get(edge.address(), "/sse?events=300");
      assertThat(cut).startsWith("HTTP/1.1 200 ").doesNotContain("[DONE]");
      assertThat(cut.length())
          .as("at most max_transfer reaches the client")
          .isLessThanOrEqualTo(2000);
      assertThat(denials()).isEqualTo(1);

      var allowed = operators.allow(node, 50_000, "/sse", Clock.system().millis() / 1000 + 600);
      assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(201);
      String whole = get(edge.address(), "/sse?events=300");
      assertThat(whole).startsWith("HTTP/1.1 200 ").contains("data: [DONE]");
      assertThat(whole.length()).isGreaterThan(5000);
      assertThat(denials()).isEqualTo(1);
    }
    node.close(Duration.ofSeconds(2));
    List<LedgerEntry> entries = ClusterFixture.entries(dir.resolve("data"));
    assertThat(entries)
        .filteredOn(e -> e.toString().startsWith("deny "))
        .as("the cut, ledgered as a deny")
        .singleElement()
        .asString()
        .contains("reason=transfer_too_large", "cut at max_transfer of zone inference");
    assertThat(entries)
        .filteredOn(e -> e.toString().contains("decision=cut"))
        .as("the cut stream's connection entry")
        .singleElement()
        .asString()
        .contains("reason=transfer_too_large");
  }

  @Test
  void aForwardStreamIsLimitedTooAndAnAllowanceForItsHostLetsItThrough() throws Exception {
    start(FORWARD);
    String host = "localhost:" + upstream.port();
    String url = "http://" + host + "/sse?events=300";
    try (EdgeServer edge = edge()) {
      String cut = get(edge.address(), url, host);
      assertThat(cut).as(cut).startsWith("HTTP/1.1 200 ").doesNotContain("[DONE]");
      assertThat(cut.length())
          .as("at most max_transfer reaches the client")
          .isLessThanOrEqualTo(2000);
      assertThat(denials()).isEqualTo(1);

      var allowed =
          operators.allow(node, 50_000, "localhost", Clock.system().millis() / 1000 + 600);
      assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(201);
      String whole = get(edge.address(), url, host);
      assertThat(whole).startsWith("HTTP/1.1 200 ").contains("data: [DONE]");
      assertThat(denials()).isEqualTo(1);
    }
  }
}
