package dev.sluice.gateway.forward;

import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.BudgetTrees;
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
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A gateway with one forward listener ({@code out}, zone {@code employee}) on loopback port 0, a
 * real local budget store and ledger in a temp dir, and a resolver that knows only the names it is
 * given. Zone {@code employee}: tenants {@code default}, {@code acme}, {@code ci}; destinations
 * {@code *.corp.example} (day cap set per test) and {@code api.partner.example} (no own limits).
 */
final class ForwardFixture implements AutoCloseable {

  /** Builds the configuration text. */
  static final class Yaml {
    private String mode = "enforce";
    private String corpCap = "10MB";
    private String unknown = "deny";
    private String listenerExtra = "    deny_ranges: []\n";
    private boolean defaultTenant = true;
    private String maxTransfer = "";

    /** The zone's {@code max_transfer} (e.g. {@code "64KiB"}). */
    Yaml maxTransfer(String size) {
      maxTransfer = "      max_transfer: " + size + "\n";
      return this;
    }

    Yaml mode(String m) {
      mode = m;
      return this;
    }

    Yaml corpCap(String cap) {
      corpCap = cap;
      return this;
    }

    /** The zone without its {@code default} tenant. */
    Yaml withoutDefaultTenant() {
      defaultTenant = false;
      return this;
    }

    Yaml unknownDestinations(String policy) {
      unknown = policy;
      return this;
    }

    /** Extra keys of the listener, each line indented by four spaces; replaces the default. */
    Yaml listener(String extra) {
      listenerExtra = extra;
      return this;
    }

    String build(Path dataDir) {
      String yaml =
          """
          site: test
          model: { name: m, weight_bytes: 10GB }
          mode: %s
          data_dir: %s
          budgets:
            limits: [ { window: day, cap: 1GB } ]
            control_allowance: 64KiB
            zones:
              employee:
                limits: [ { window: day, cap: 500MB } ]
                tenants:
                  default: { limits: [ { window: day, cap: 100MB } ] }
                  acme: { limits: [ { window: day, cap: 100MB } ] }
                  ci: {}
                destinations:
                  "*.corp.example": { limits: [ { window: day, cap: %s } ] }
                  api.partner.example: {}
                unknown_destinations: %s
          listeners:
            - name: out
              mode: forward
              bind: 127.0.0.1:0
              zone: employee
          %s
          admin: { bind: 127.0.0.1:0 }
          escrow: { min_chunk: 1KiB, max_chunk: 16KiB }
          """
              .formatted(mode, dataDir, corpCap, unknown, listenerExtra.stripTrailing());
      yaml =
          yaml.replace(
              "\n      unknown_destinations:", "\n" + maxTransfer + "      unknown_destinations:");
      return defaultTenant
          ? yaml
          : yaml.replace("default: { limits: [ { window: day, cap: 100MB } ] }", "");
    }
  }

  private final Path dataDir;
  private final BudgetTree tree;
  private final LocalBudgetStore store;
  private final Escrow escrow;
  private final HaltState halts;
  private final GatewayStats stats;
  private final Gateway gateway;
  private boolean closed;

  /**
   * With a resolver that knows only {@code names} and declares that its lookups send nothing (they
   * do not: it is a map), so these tests count only the bytes of requests and tunnels.
   */
  ForwardFixture(Path dataDir, Yaml yaml, Map<String, List<InetAddress>> names) throws Exception {
    this(dataDir, yaml, mapResolver(names));
  }

  /** A resolver that knows only {@code names}, its lookups costing nothing. */
  static HostResolver mapResolver(Map<String, List<InetAddress>> names) {
    return new HostResolver() {
      @Override
      public List<InetAddress> resolve(String host) throws UnknownHostException {
        List<InetAddress> a = names.get(host);
        if (a == null) {
          throw new UnknownHostException(host);
        }
        return a;
      }

      // No @Override: this fixture also builds against code whose resolvers cost nothing.
      public long maxLookupBytes(String host) {
        return 0;
      }
    };
  }

  ForwardFixture(Path dataDir, Yaml yaml, HostResolver resolver) throws Exception {
    this.dataDir = dataDir;
    ConfigResult r = ConfigLoader.parse("test.yaml", yaml.build(dataDir));
    if (!r.ok()) {
      throw new IllegalArgumentException(String.join("\n", ConfigLoader.formatAll(r)));
    }
    SluiceConfig config = r.config();
    Clock clock = Clock.system();
    tree = BudgetTrees.of(config.budgets());
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
    halts = new HaltState(tree.zones());
    stats = new GatewayStats(List.of("out"));
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
                Transport.best(),
                2,
                resolver,
                null,
                new TransferAllowances(),
                Map.of()));
  }

  static InetAddress loopback() {
    return InetAddress.getLoopbackAddress();
  }

  int port() {
    return gateway.address("out").getPort();
  }

  HaltState halts() {
    return halts;
  }

  GatewayStats stats() {
    return stats;
  }

  Gateway gateway() {
    return gateway;
  }

  /**
   * Bytes charged so far to the first limit of node {@code id} (all its writes, live escrow too).
   */
  long sent(String id) {
    return BudgetReport.of(tree, store, escrow).node(id).limits().get(0).sent();
  }

  /** Closes the gateway and the store, then reads every ledger entry of {@code type}. */
  List<LedgerEntry> closeAndRead(EntryType type) throws Exception {
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
