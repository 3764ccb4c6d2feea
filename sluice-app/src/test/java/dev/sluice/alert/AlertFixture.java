package dev.sluice.alert;

import dev.sluice.admin.AdminContext;
import dev.sluice.admin.AdminServer;
import dev.sluice.admin.StoreMetrics;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.BudgetTrees;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ListenerConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.escrow.Escrow;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.stats.GatewayStats;
import dev.sluice.halt.HaltState;
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

/**
 * A node's real parts (local budget store and ledger in a temp dir, escrow, halts, stats) on a
 * manual clock, with alerts built on them and not started: tests move the clock and call {@code
 * evaluate()} and {@code deliverDue()}. Tenant {@code z/x} has a day cap of 1,000,000 bytes; the
 * zone and the site have far more.
 */
final class AlertFixture implements AutoCloseable {

  static final long X_CAP = 1_000_000;

  final ManualClock clock;
  final SluiceConfig config;
  final BudgetTree tree;
  final LocalBudgetStore store;
  final Escrow escrow;
  final HaltState halts;
  final GatewayStats stats;
  final Alerting alerts;
  private AdminServer admin;

  AlertFixture(Path dataDir, ManualClock clock, String alertsYaml) throws IOException {
    this(dataDir, clock, alertsYaml, dev.sluice.ledger.LedgerIo.standard());
  }

  /** As above, with the ledger's files opened through {@code io} (to inject a full disk). */
  AlertFixture(Path dataDir, ManualClock clock, String alertsYaml, dev.sluice.ledger.LedgerIo io)
      throws IOException {
    this.clock = clock;
    this.config = ConfigLoader.parse("alerts-test.yaml", yaml(dataDir, alertsYaml)).orThrow();
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
    this.alerts =
        Alerting.create(
            new AlertInputs(
                config,
                tree,
                store,
                escrow,
                store.ledger(),
                halts,
                stats::egressBytes,
                stats.probe(),
                store.stranded(),
                clock,
                stats.detections()));
  }

  static String yaml(Path dataDir, String alertsYaml) {
    return """
        site: t
        model: { name: m, weight_bytes: 10GB }
        data_dir: "%s"
        budgets:
          limits: [ { window: day, cap: 1GB } ]
          zones:
            z:
              limits: [ { window: day, cap: 500MB } ]
              tenants:
                x: { limits: [ { window: day, cap: %d } ] }
                y: {}
        listeners:
          - { name: api, mode: reverse, bind: 127.0.0.1:0, upstream: "http://127.0.0.1:9",
              zone: z, tenant_header: X-Tenant }
        admin: { bind: 127.0.0.1:0 }
        escrow: { min_chunk: 1KiB, max_chunk: 16KiB }
        %s
        """
        .formatted(dataDir, X_CAP, alertsYaml);
  }

  /** Takes escrow for tenant {@code z/x} and charges {@code bytes} from it. */
  void charge(long bytes) {
    EscrowAccount a = escrow.account(tree.path("z", "x", null));
    if (a.tryCharge(bytes) != EscrowAccount.CHARGED) {
      a.refill(bytes).join();
      if (a.tryCharge(bytes) != EscrowAccount.CHARGED) {
        throw new IllegalStateException("could not charge " + bytes + " to " + a);
      }
    }
  }

  /** Spent bytes of tenant {@code z/x}'s day cap (charged plus escrow held). */
  long spent() {
    return store.usage(tree.node("tenant:z/x"), dev.sluice.time.Window.DAY).spent();
  }

  /** Charges tenant {@code z/x} 4 KiB at a time until at least {@code target} bytes are spent. */
  void spendTo(long target) {
    while (spent() < target) {
      charge(4096);
    }
  }

  /** Charges tenant {@code z/x} until its store refuses escrow: its cap is spent. */
  void exhaust() {
    EscrowAccount a = escrow.account(tree.path("z", "x", null));
    for (int i = 0; i < 10_000; i++) {
      long held = a.available();
      if (held > 0) {
        a.tryCharge(held);
      }
      EscrowAccount.Outcome o = a.refill(1).join();
      if (o.kind() != EscrowAccount.Outcome.Kind.GRANTED && spent() == X_CAP) {
        return;
      }
    }
    throw new IllegalStateException("tenant z/x never ran out: " + a);
  }

  /** Starts an admin server over this node with the alerts. */
  URI startAdmin() throws IOException {
    admin =
        new AdminServer(
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
                    () -> true,
                    new StoreMetrics(),
                    alerts),
                Duration.ofDays(1))
            .start();
    return URI.create("http://127.0.0.1:" + admin.address().getPort());
  }

  static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** Stops like a crash: escrow is never settled, so the next start finds it stranded. */
  void crash() {
    alerts.close();
    if (admin != null) {
      admin.stop();
    }
    store.close();
  }

  @Override
  public void close() {
    alerts.close();
    if (admin != null) {
      admin.stop();
    }
    escrow.close();
    store.close();
  }
}
