package dev.sluice.gateway.edge;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.BudgetTrees;
import dev.sluice.codec.CodecModel;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.EscrowConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.escrow.Escrow;
import dev.sluice.gateway.Gateway;
import dev.sluice.gateway.GatewayContext;
import dev.sluice.gateway.evidence.Evidence;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.gateway.stats.GatewayStats;
import dev.sluice.halt.HaltState;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.ledger.LedgerReader;
import dev.sluice.store.BudgetReport;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.LocalBudgetStore;
import dev.sluice.time.Clock;
import dev.sluice.transfer.TransferAllowances;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A gateway with one reverse listener {@code edge} ({@code peer: edge}, optionally TLS) on loopback
 * port 0 in front of an SSE upstream (the JDK's HTTP server: {@code /sse?n=N&i=I} streams N events,
 * each flushed on its own; {@code /json?n=N} a whole body of known length), a real local budget
 * store and ledger in a temp dir, a {@link CountingProxy} that counts every byte the gateway writes
 * on the link, and an {@link EdgeServer} in front of it. Zone {@code inference}: tenants {@code
 * acme} (cap set per test), {@code beta} and {@code gamma}, no default tenant.
 */
final class LinkFixture implements AutoCloseable {

  private final Path dataDir;
  private final BudgetTree tree;
  private final LocalBudgetStore store;
  private final Escrow escrow;
  private final HaltState halts;
  private final GatewayStats stats;
  private final Gateway gateway;
  private final HttpServer upstream;
  private final CountingProxy proxy;
  private final EdgeServer edge;
  final AtomicLong upstreamRequests = new AtomicLong();
  private boolean closed;

  /**
   * @param acmeCap the day cap of tenant acme, e.g. {@code 100MB}
   * @param tls TLS on the link (a self-signed certificate for "localhost" made here)
   * @param flushWindow codec.flush_window, e.g. {@code 30ms}
   * @param mode enforce or report
   */
  LinkFixture(Path dataDir, String acmeCap, boolean tls, String flushWindow, String mode)
      throws Exception {
    this.dataDir = dataDir;
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    upstream.setExecutor(Executors.newFixedThreadPool(32));
    upstream.createContext("/sse", ex -> sse(ex));
    upstream.createContext("/json", ex -> json(ex));
    upstream.start();
    String tlsKeys = "";
    SslContext clientTls = null;
    if (tls) {
      dev.sluice.gateway.forward.TestCertificates certs =
          dev.sluice.gateway.forward.TestCertificates.selfSigned(dataDir, "localhost");
      Path cert = dataDir.resolve("cert.pem");
      Path key = dataDir.resolve("key.pem");
      certs.writePem(cert, key);
      tlsKeys = ", tls: { cert: \"" + cert + "\", key: \"" + key + "\" }";
      clientTls = SslContextBuilder.forClient().trustManager(cert.toFile()).build();
    }
    String yaml =
        """
        site: test
        model: { name: m, weight_bytes: 10GB }
        mode: %s
        data_dir: %s
        budgets:
          limits: [ { window: day, cap: 1GB } ]
          control_allowance: 1MiB
          zones:
            inference:
              tenants:
                acme: { limits: [ { window: day, cap: %s } ] }
                beta: {}
                gamma: {}
        listeners:
          - { name: edge, mode: reverse, bind: "127.0.0.1:0", upstream: "http://127.0.0.1:%d", zone: inference, tenant_header: X-Tenant, peer: edge%s }
        admin: { bind: 127.0.0.1:0 }
        escrow: { min_chunk: 1KiB, max_chunk: 16KiB }
        codec: { flush_window: %s }
        """
            .formatted(
                mode,
                dataDir.resolve("data"),
                acmeCap,
                upstream.getAddress().getPort(),
                tlsKeys,
                flushWindow);
    ConfigResult r = ConfigLoader.parse("test.yaml", yaml);
    if (!r.ok()) {
      throw new IllegalArgumentException(String.join("\n", ConfigLoader.formatAll(r)));
    }
    SluiceConfig config = r.config();
    Clock clock = Clock.system();
    tree = BudgetTrees.of(config.budgets());
    EscrowConfig ec = config.escrow();
    Files.createDirectories(dataDir.resolve("data"));
    store =
        LocalBudgetStore.open(
            tree,
            config.timeZone(),
            LedgerOptions.builder(dataDir.resolve("data"), config.ledger().origin()).build(),
            new ChunkPolicy(ec.minChunkBytes(), ec.maxChunkBytes()),
            ec.grantTtl(),
            clock);
    escrow = new Escrow(store, clock, ec.lowWaterPercent(), ec.grantTtl());
    halts = new HaltState(tree.zones());
    stats = new GatewayStats(List.of("edge"));
    Evidence evidence = new Evidence(store.ledger(), clock, stats);
    gateway =
        Gateway.start(
            new GatewayContext(
                config,
                tree,
                escrow,
                evidence,
                halts,
                stats,
                clock,
                store.ledger()::healthy,
                Transport.nio(),
                2,
                host -> {
                  throw new UnknownHostException(host);
                },
                CodecModel.builtIn(),
                new TransferAllowances(),
                Map.of()));
    proxy = CountingProxy.start(gateway.address("edge"));
    edge =
        EdgeServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            new EdgeServer.Upstream(
                "127.0.0.1", proxy.address().getPort(), clientTls, tls ? "localhost" : null),
            CodecModel.builtIn(),
            Transport.nio(),
            1);
  }

  /** An SSE event of the demo's shape: stream {@code i}, event {@code k}. */
  static String event(int i, int k) {
    return "data: {\"id\":\"chatcmpl-"
        + i
        + "\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + (k % 7 == 0 ? " the" : k % 3 == 0 ? " model" : " token" + k)
        + "\"}}]}\n\n";
  }

  private void sse(com.sun.net.httpserver.HttpExchange ex) throws IOException {
    upstreamRequests.incrementAndGet();
    ex.getRequestBody().readAllBytes();
    String q = ex.getRequestURI().getQuery();
    int n = param(q, "n", 10);
    int i = param(q, "i", 0);
    int pace = param(q, "pace", 0);
    ex.getResponseHeaders().add("Content-Type", "text/event-stream");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      for (int k = 0; k < n; k++) {
        out.write(event(i, k).getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (pace > 0) {
          try {
            Thread.sleep(pace); // the upstream's pacing (a model producing tokens), not a sync
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
      out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the gateway went away (a cut stream)
    }
  }

  /** The body {@code /sse?n&i} streams, as the client must see it (chunked framing removed). */
  static String sseBody(int n, int i) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < n; k++) {
      b.append(event(i, k));
    }
    return b.append("data: [DONE]\n\n").toString();
  }

  private void json(com.sun.net.httpserver.HttpExchange ex) throws IOException {
    upstreamRequests.incrementAndGet();
    ex.getRequestBody().readAllBytes();
    int n = param(ex.getRequestURI().getQuery(), "n", 100);
    byte[] body = jsonBody(n).getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  static String jsonBody(int n) {
    StringBuilder b = new StringBuilder("{\"text\":\"");
    for (int k = 0; k < n; k++) {
      b.append("word").append(k % 13).append(' ');
    }
    return b.append("\"}").toString();
  }

  private static int param(String q, String name, int dflt) {
    if (q == null) {
      return dflt;
    }
    for (String kv : q.split("&")) {
      String[] p = kv.split("=", 2);
      if (p.length == 2 && p[0].equals(name)) {
        return Integer.parseInt(p[1]);
      }
    }
    return dflt;
  }

  InetSocketAddress edgeAddress() {
    return edge.address();
  }

  Gateway gateway() {
    return gateway;
  }

  CountingProxy proxy() {
    return proxy;
  }

  HaltState halts() {
    return halts;
  }

  GatewayStats stats() {
    return stats;
  }

  /** Bytes charged so far to the day limit of node {@code id} (writes and live escrow spent). */
  long sent(String id) {
    return BudgetReport.of(tree, store, escrow).node(id).limits().get(0).sent();
  }

  /** Bytes charged so far to every tenant of the site (its day limit). */
  long siteSent() {
    return sent(tree.site().id());
  }

  /** Bytes charged so far to the control allowance. */
  long controlSent() {
    List<String> ids = tree.controlPath().nodeIds();
    return BudgetReport.of(tree, store, escrow)
        .node(ids.get(ids.size() - 1))
        .limits()
        .get(0)
        .sent();
  }

  BudgetReport report() {
    return BudgetReport.of(tree, store, escrow);
  }

  BudgetTree tree() {
    return tree;
  }

  /** Stops the edge (its links end with GOAWAY), then the gateway. */
  void stopEdge() {
    edge.close();
  }

  /** Closes everything, then reads every ledger entry of {@code type}. */
  List<LedgerEntry> closeAndRead(EntryType type) throws Exception {
    close();
    List<LedgerEntry> out = new ArrayList<>();
    try (LedgerReader reader = LedgerReader.open(dataDir.resolve("data"))) {
      reader.forEach(
          e -> {
            if (e.entry().type() == type) {
              out.add(e.entry());
            }
          });
    }
    return out;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    edge.close();
    proxy.close();
    gateway.close();
    escrow.close();
    store.close();
    upstream.stop(0);
    ((java.util.concurrent.ExecutorService) upstream.getExecutor()).shutdownNow();
  }
}
