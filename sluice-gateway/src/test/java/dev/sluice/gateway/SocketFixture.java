package dev.sluice.gateway;

import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.BudgetTrees;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.EscrowConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.escrow.Escrow;
import dev.sluice.gateway.evidence.Evidence;
import dev.sluice.gateway.forward.HostResolver;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.gateway.stats.GatewayStats;
import dev.sluice.halt.HaltState;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.ledger.LedgerReader;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.LocalBudgetStore;
import dev.sluice.time.Clock;
import dev.sluice.transfer.TransferAllowances;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real gateway (sockets on loopback port 0, the node's real pipeline) with one listener {@code
 * api} in zone {@code inference} in front of the upstream at {@code upstreamPort} (so far a reverse
 * listener, {@link #reverse}), with a real local budget store and ledger in a temp dir. Tenant
 * {@code default} may send 10GB a day.
 */
public final class SocketFixture implements AutoCloseable {

  private final Path dataDir;
  private final LocalBudgetStore store;
  private final Escrow escrow;
  private final Gateway gateway;
  private boolean closed;

  /**
   * A reverse listener (tenant header {@code X-Tenant}), with {@code zoneExtra} (one line, e.g.
   * {@code "max_transfer: 4MiB"}, or empty) in the zone.
   */
  public static SocketFixture reverse(Path dataDir, int upstreamPort, String zoneExtra)
      throws Exception {
    return new SocketFixture(
        dataDir,
        "{ name: api, mode: reverse, bind: \"127.0.0.1:0\", upstream: \"http://127.0.0.1:"
            + upstreamPort
            + "\", zone: inference, tenant_header: X-Tenant }",
        zoneExtra);
  }

  private SocketFixture(Path dataDir, String listener, String zoneExtra) throws Exception {
    this.dataDir = dataDir;
    String yaml =
        """
        site: test
        model: { name: m, weight_bytes: 10GB }
        mode: enforce
        data_dir: %s
        budgets:
          limits: [ { window: day, cap: 100GB } ]
          control_allowance: 1MiB
          zones:
            inference:
              %s
              tenants:
                default: { limits: [ { window: day, cap: 10GB } ] }
        listeners:
          - %s
        admin: { bind: 127.0.0.1:0 }
        escrow: { min_chunk: 64KiB, max_chunk: 4MiB }
        """
            .formatted(dataDir, zoneExtra, listener);
    ConfigResult r = ConfigLoader.parse("test.yaml", yaml);
    if (!r.ok()) {
      throw new IllegalArgumentException(String.join("\n", ConfigLoader.formatAll(r)));
    }
    SluiceConfig config = r.config();
    Clock clock = Clock.system();
    BudgetTree tree = BudgetTrees.of(config.budgets());
    EscrowConfig ec = config.escrow();
    store =
        LocalBudgetStore.open(
            tree,
            config.timeZone(),
            LedgerOptions.builder(dataDir, config.ledger().origin()).build(),
            new ChunkPolicy(ec.minChunkBytes(), ec.maxChunkBytes()),
            ec.grantTtl(),
            clock);
    escrow = new Escrow(store, clock, ec.lowWaterPercent(), ec.grantTtl());
    HaltState halts = new HaltState(tree.zones());
    GatewayStats stats = new GatewayStats(List.of("api"));
    gateway =
        Gateway.start(
            new GatewayContext(
                config,
                tree,
                escrow,
                new Evidence(store.ledger(), clock, stats),
                halts,
                stats,
                clock,
                store.ledger()::healthy,
                Transport.best(),
                2,
                HostResolver.system(), // unused: a reverse listener resolves no names
                null,
                new TransferAllowances(),
                Map.of()));
  }

  public int port() {
    return gateway.address("api").getPort();
  }

  /** Closes the gateway and the store, then reads every ledger entry of {@code type}. */
  public List<LedgerEntry> closeAndRead(EntryType type) throws Exception {
    close();
    List<LedgerEntry> out = new ArrayList<>();
    try (LedgerReader reader = LedgerReader.open(dataDir)) {
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
    gateway.close();
    escrow.close();
    store.close();
  }
}
