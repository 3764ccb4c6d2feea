package dev.sluice.admin;

import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.BudgetTrees;
import dev.sluice.cli.ConfigLocator;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.ListenerConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.escrow.Escrow;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.stats.GatewayStats;
import dev.sluice.halt.HaltState;
import dev.sluice.ledger.LedgerIo;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.LocalBudgetStore;
import dev.sluice.time.ManualClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * A running admin server on the quickstart configuration: a real local budget store, escrow and
 * ledger in a temp dir, a manual clock, the admin API on 127.0.0.1 port 0. Listener binds are port
 * 0 too (nothing binds them; {@link #listenersBound} stands in for the gateway).
 */
public final class AdminFixture implements AutoCloseable {

  public final ManualClock clock = ManualClock.at("2026-11-22T10:00:00Z");
  public final Path dataDir;
  public final SluiceConfig config;
  public final BudgetTree tree;
  public final LocalBudgetStore store;
  public final Escrow escrow;
  public final HaltState halts;
  public final GatewayStats stats;
  public final AtomicBoolean listenersBound = new AtomicBoolean(true);
  public final AdminServer server;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public AdminFixture(Path dataDir) throws IOException {
    this(dataDir, UnaryOperator.identity());
  }

  /** {@code edit} changes the quickstart YAML further (e.g. {@code mode: report}). */
  public AdminFixture(Path dataDir, UnaryOperator<String> edit) throws IOException {
    this(dataDir, edit, LedgerIo.standard());
  }

  /** As above, with the ledger's files opened through {@code io} (to inject a full disk). */
  public AdminFixture(Path dataDir, UnaryOperator<String> edit, LedgerIo io) throws IOException {
    this.dataDir = dataDir;
    this.config = load(edit.apply(quickstartYaml(dataDir)));
    this.tree = BudgetTrees.of(config.budgets());
    this.store =
        LocalBudgetStore.open(
            tree,
            config.timeZone(),
            LedgerOptions.builder(config.dataDir(), config.ledger().origin()).io(io).build(),
            new ChunkPolicy(config.escrow().minChunkBytes(), config.escrow().maxChunkBytes()),
            config.escrow().grantTtl(),
            clock);
    this.escrow =
        new Escrow(store, clock, config.escrow().lowWaterPercent(), config.escrow().grantTtl());
    this.halts = new HaltState(tree.zones());
    this.stats = new GatewayStats(config.listeners().stream().map(ListenerConfig::name).toList());
    AdminContext ctx =
        new AdminContext(
            config,
            tree,
            store,
            escrow,
            store.ledger(),
            halts,
            stats,
            store.stranded(),
            clock,
            listenersBound::get);
    // A day between samples: the tests sample by hand after moving the clock.
    AdminServer started;
    try {
      started = new AdminServer(ctx, Duration.ofDays(1)).start();
    } catch (IOException | RuntimeException e) {
      escrow.close();
      store.close();
      throw e;
    }
    this.server = started;
  }

  /** The quickstart with its data dir in {@code dataDir} and every bind on port 0. */
  public static String quickstartYaml(Path dataDir) {
    return ConfigLocator.embeddedQuickstart()
        .replace("data_dir: ./sluice-data", "data_dir: \"" + dataDir + "\"")
        .replace("bind: 127.0.0.1:9901", "bind: 127.0.0.1:0")
        .replace("bind: 127.0.0.1:8080", "bind: 127.0.0.1:0")
        .replace("bind: 127.0.0.1:3128", "bind: 127.0.0.1:0");
  }

  static SluiceConfig load(String yaml) {
    ConfigResult r = ConfigLoader.parse("quickstart-test.yaml", yaml);
    return r.orThrow();
  }

  /** Takes escrow for tenant {@code zone/tenant} and charges {@code bytes} from it. */
  public void charge(String zone, String tenant, long bytes) {
    EscrowAccount a = escrow.account(tree.path(zone, tenant, null));
    if (a.tryCharge(bytes) != EscrowAccount.CHARGED) {
      a.refill(bytes).join();
      if (a.tryCharge(bytes) != EscrowAccount.CHARGED) {
        throw new IllegalStateException("could not charge " + bytes + " to " + a);
      }
    }
  }

  /** {@code host:port} of the running admin API. */
  public String adminAddress() {
    return AdminServer.hostPort(server.address());
  }

  public String token() throws IOException {
    return AdminToken.read(server.tokenFile());
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  /** POSTs {@code body} as {@code contentType}; {@code authorization} null sends none. */
  public HttpResponse<String> post(
      String path, String contentType, String body, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return send(b);
  }

  /** POSTs a JSON body with the right token. */
  public HttpResponse<String> postJson(String path, String json)
      throws IOException, InterruptedException {
    return post(path, "application/json", json, "Bearer " + token());
  }

  public HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
    return http.send(
        b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  public URI uri(String path) {
    return URI.create("http://" + adminAddress() + path);
  }

  /**
   * Stops like a crash: the escrow is never settled, so the next start on this data dir finds it
   * stranded.
   */
  public void crash() {
    server.stop();
    store.close();
  }

  @Override
  public void close() {
    server.stop();
    escrow.close();
    store.close();
  }
}
