package dev.sluice.app;

import dev.sluice.admin.AdminServer;
import dev.sluice.admin.ConfigSwap;
import dev.sluice.admin.StoreMetrics;
import dev.sluice.admin.TransferBook;
import dev.sluice.alert.Alerting;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.BudgetTrees;
import dev.sluice.codec.CodecModel;
import dev.sluice.config.EscrowConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.escrow.Escrow;
import dev.sluice.gateway.Gateway;
import dev.sluice.gateway.GatewayContext;
import dev.sluice.gateway.GatewayStartException;
import dev.sluice.gateway.evidence.Evidence;
import dev.sluice.gateway.evidence.LogValue;
import dev.sluice.gateway.forward.HostResolver;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.gateway.stats.GatewayStats;
import dev.sluice.halt.HaltState;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.store.BudgetStore;
import dev.sluice.time.Clock;
import dev.sluice.transfer.TransferAllowances;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Sluice node, wired in one place: configuration → budget tree → ledger and budget
 * store (local, or shared in etcd: {@link NodeStore}) → escrow → halt switches → alerts (when
 * configured) → admin server (which applies the fleet's halts) → gateway listeners.
 *
 * <p>Start order makes every failure loud and early (data dir, ledger, ports), and records the
 * start and the configuration in the ledger before any listener accepts. {@link #close} drains: it
 * stops accepting, lets in-flight streams finish until the deadline and cuts the rest, returns
 * unspent escrow, records the stop, writes the budget snapshot and signs a final checkpoint. {@link
 * #reconfigure} applies a reloaded configuration in place, the ledger, store and escrow staying
 * open (decision 0022).
 */
public final class SluiceNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SluiceNode.class);

  private final Clock clock;
  private final NodeStore store;
  private final StoreMetrics storeMetrics;
  private final Escrow escrow;
  private final HaltState halts;
  private final GatewayStats stats;
  private final Gateway gateway;
  private final ScheduledExecutorService sweeper;
  private final ConfigSwap swap;

  // Replaced together by reconfigure (under this); read without the lock.
  private volatile SluiceConfig config;
  private volatile BudgetTree tree;
  private volatile AdminServer admin;
  private volatile Alerting alerts;
  private volatile TransferBook transfersBook;
  private boolean closed;

  private SluiceNode(
      SluiceConfig config,
      Clock clock,
      BudgetTree tree,
      NodeStore store,
      StoreMetrics storeMetrics,
      Escrow escrow,
      HaltState halts,
      GatewayStats stats,
      Gateway gateway,
      ScheduledExecutorService sweeper,
      AdminServer admin,
      Alerting alerts,
      ConfigSwap swap) {
    this.config = config;
    this.clock = clock;
    this.tree = tree;
    this.store = store;
    this.storeMetrics = storeMetrics;
    this.escrow = escrow;
    this.halts = halts;
    this.stats = stats;
    this.gateway = gateway;
    this.sweeper = sweeper;
    this.admin = admin;
    this.alerts = alerts;
    this.swap = swap;
  }

  /** Starts a node that cannot reload its configuration ({@link ConfigSwap#NONE}). */
  public static SluiceNode start(SluiceConfig config, Clock clock) throws NodeStartException {
    return start(config, clock, ConfigSwap.NONE);
  }

  /**
   * Starts a node whose approved reloads are applied by {@code swap}; on failure everything opened
   * so far is closed again.
   */
  public static SluiceNode start(SluiceConfig config, Clock clock, ConfigSwap swap)
      throws NodeStartException {
    Path dataDir = config.dataDir();
    NodeSteps.prepareDataDir(dataDir);
    CodecModel codec =
        NodeSteps.loadCodec(config); // before anything is opened: a bad file fails first
    Map<Path, FingerprintIndex> indexes = DetectionIndexes.load(config);
    BudgetTree tree = BudgetTrees.of(config.budgets());
    StoreMetrics storeMetrics = new StoreMetrics();
    NodeStore store = NodeStore.open(config, tree, clock, storeMetrics);
    Escrow escrow = null;
    Gateway gateway = null;
    ScheduledExecutorService sweeper = null;
    AdminServer admin = null;
    Alerting alerts = null;
    try {
      Ledger ledger = store.ledger();
      NodeSteps.record(ledger, NodeSteps.startEntry(config, clock));
      NodeSteps.record(ledger, NodeSteps.configEntry(config, clock));
      EscrowConfig ec = config.escrow();
      escrow = new Escrow(store.budgets(), clock, ec.lowWaterPercent(), ec.grantTtl());
      HaltState halts = HaltState.persistent(tree.zones(), dataDir.resolve("halts"));
      GatewayStats stats =
          new GatewayStats(config.listeners().stream().map(l -> l.name()).toList());
      Evidence evidence = new Evidence(ledger, clock, stats);
      sweeper =
          Executors.newSingleThreadScheduledExecutor(NodeSteps.daemon("sluice-escrow-sweeper"));
      Escrow e = escrow;
      sweeper.scheduleWithFixedDelay(e::sweep, 1, 1, TimeUnit.SECONDS);
      // The admin server (and with it the fleet's halts) before the listeners: a node that
      // starts while the fleet is halted applies the halt before it accepts any client.
      AtomicReference<Gateway> started = new AtomicReference<>();
      alerts = NodeWiring.alertsOf(config, tree, store, escrow, halts, stats, clock);
      // Approved transfers kept before this start (file) or by the fleet (etcd), re-checked
      // against this configuration, in force before any listener accepts.
      TransferBook transfers = NodeWiring.transferBook(config, store, clock);
      admin =
          new AdminServer(
                  NodeWiring.adminContext(
                      config,
                      tree,
                      store,
                      storeMetrics,
                      escrow,
                      halts,
                      stats,
                      clock,
                      () -> {
                        Gateway g = started.get();
                        return g != null && g.allBound();
                      },
                      alerts,
                      swap,
                      transfers))
              .start();
      if (alerts != null) {
        alerts.start(NodeWiring.adminUrl(config, admin));
      }
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
                  ledger::healthy,
                  Transport.best(),
                  0,
                  HostResolver.system(),
                  codec,
                  transfers.allowances(),
                  indexes));
      started.set(gateway);
      log.info(
          "admin API on {}://{}",
          config.admin().tls() == null ? "http" : "https",
          NodeSteps.hostPort(admin.address()));
      for (HaltState.Halt h : halts.active()) {
        log.warn(
            "egress of {} is HALTED since {}: {}",
            h.scope(),
            h.sinceMillis(),
            LogValue.of(h.reason()));
      }
      if (config.mode() == dev.sluice.config.Mode.REPORT) {
        log.warn("mode is REPORT: budgets are NOT enforced; over-budget bytes are only recorded");
      }
      SluiceNode node =
          new SluiceNode(
              config,
              clock,
              tree,
              store,
              storeMetrics,
              escrow,
              halts,
              stats,
              gateway,
              sweeper,
              admin,
              alerts,
              swap);
      node.transfersBook = transfers;
      return node;
    } catch (GatewayStartException e) {
      shutdownQuietly(alerts, admin, sweeper, gateway, escrow, store);
      throw new NodeStartException(e.getMessage(), e);
    } catch (java.net.BindException e) {
      shutdownQuietly(alerts, admin, sweeper, gateway, escrow, store);
      throw new NodeStartException(
          "admin API: cannot bind " + config.admin().bind() + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      shutdownQuietly(alerts, admin, sweeper, gateway, escrow, store);
      throw new NodeStartException("cannot start: " + e.getMessage(), e);
    }
  }

  /**
   * Applies {@code next} in place, the ledger, the budget store and the escrow staying open, and
   * ledgers its {@code config} entry; all or nothing. First what can fail, while the running
   * configuration stays fully in force: the codec model is loaded, the alerts' state is read, and
   * the gateway binds the listeners whose address no socket has yet ({@link Gateway#reconfigure});
   * a failure closes what was opened and throws. Then, in this order: the listeners take the new
   * configuration (sockets kept, listeners removed or changed drain for {@code drain} in the
   * background, then are cut); the budget store and the escrow move to the new tree (counters kept
   * by node id, every escrow set settled, connections pay the new caps from their next refill on;
   * see {@code Escrow#retree}); the halt switches follow the zones; the alerts are replaced and the
   * admin API serves the new configuration on its running socket ({@link AdminServer#reconfigure}:
   * open connections and the token stay); the large-transfer allowances approved under the previous
   * configuration are dropped, as they were when a reload replaced the node.
   *
   * <p>{@code next} must differ from the running configuration only where {@code
   * ConfigDiff.restartRequired} allows (not in site, data_dir, store, node_id, ledger or admin).
   *
   * @throws NodeStartException naming what could not be applied; nothing changed then
   */
  public synchronized void reconfigure(SluiceConfig next, Duration drain)
      throws NodeStartException {
    if (closed) {
      throw new NodeStartException("the node is stopped", null);
    }
    long began = clock.nanos();
    SluiceConfig previous = config;
    CodecModel codec = NodeSteps.loadCodec(next);
    Map<Path, FingerprintIndex> indexes = DetectionIndexes.load(next);
    BudgetTree nextTree = BudgetTrees.of(next.budgets());
    List<String> union = new java.util.ArrayList<>(tree.zones());
    nextTree.zones().stream().filter(z -> !union.contains(z)).forEach(union::add);
    // New zones' switches exist before the new listeners are built; none is dropped yet.
    halts.rezone(union);
    Alerting nextAlerts;
    // The allowances are re-read and re-checked against the new configuration: approvals are
    // bound to the running file's hash, so those of the previous one no longer count.
    TransferBook transfers = NodeWiring.transferBook(next, store, clock);
    try {
      nextAlerts = NodeWiring.alertsOf(next, nextTree, store, escrow, halts, stats, clock);
    } catch (IOException | RuntimeException e) {
      halts.rezone(tree.zones());
      throw new NodeStartException("alerts: cannot read their state: " + e.getMessage(), e);
    }
    try {
      gateway.reconfigure(
          gateway.context().reloaded(next, nextTree, codec, transfers.allowances(), indexes),
          drain);
    } catch (GatewayStartException | RuntimeException e) {
      halts.rezone(tree.zones());
      throw new NodeStartException(e.getMessage(), e);
    }
    store.budgets().retree(nextTree);
    escrow.retree(nextTree, Duration.ofSeconds(10));
    halts.rezone(nextTree.zones());
    config = next;
    transfersBook = transfers;
    tree = nextTree;
    if (alerts != null) {
      alerts.close();
    }
    alerts = nextAlerts;
    if (admin != null) {
      admin.reconfigure(
          NodeWiring.adminContext(
              next,
              nextTree,
              store,
              storeMetrics,
              escrow,
              halts,
              stats,
              clock,
              gateway::allBound,
              nextAlerts,
              swap,
              transfers));
    }
    if (nextAlerts != null && admin != null) {
      nextAlerts.start(NodeWiring.adminUrl(next, admin));
    }
    try {
      NodeSteps.record(store.ledger(), NodeSteps.configEntry(next, clock));
    } catch (IOException e) {
      log.error(
          "reload: the config entry of {} was not ledgered: {}", next.sha256Hex(), e.toString());
    }
    log.info(
        "reload: configuration {} replaced by {} in place in {} ms",
        previous.sha256Hex(),
        next.sha256Hex(),
        (clock.nanos() - began) / 1_000_000);
  }

  /** The approved large transfers in force on this node. */
  public TransferAllowances transfers() {
    return transfersBook.allowances();
  }

  public SluiceConfig config() {
    return config;
  }

  public Clock clock() {
    return clock;
  }

  public BudgetTree tree() {
    return tree;
  }

  /** The budget store escrow is granted from (local or etcd). */
  public BudgetStore store() {
    return store.budgets();
  }

  /** This node's own ledger. */
  public Ledger ledger() {
    return store.ledger();
  }

  public Escrow escrow() {
    return escrow;
  }

  public HaltState halts() {
    return halts;
  }

  public GatewayStats stats() {
    return stats;
  }

  public Gateway gateway() {
    return gateway;
  }

  public AdminServer admin() {
    return admin;
  }

  /** The node's alerts, or null without an {@code alerts} section. */
  public Alerting alerts() {
    return alerts;
  }

  /** Connections cut because a reload removed or changed their listener, since start. */
  public int cutAtReload() {
    return gateway.cutAtReload();
  }

  /** Drains with {@code deadline} and shuts everything down. Idempotent. */
  public synchronized void close(Duration deadline) {
    if (closed) {
      return;
    }
    closed = true;
    gateway.stopAccepting();
    int cut = gateway.drain(deadline);
    gateway.close();
    sweeper.shutdownNow();
    if (alerts != null) {
      alerts.close();
    }
    if (admin != null) {
      admin.stop();
    }
    escrow.close();
    try {
      store
          .ledger()
          .append(
              LedgerEntry.builder(EntryType.STOP, clock.millis())
                  .put("connections_cut", cut)
                  .put("escrow_unreturned", escrow.held())
                  .build())
          .join();
    } catch (RuntimeException e) {
      log.error("could not record the stop in the ledger: {}", e.toString());
    }
    store.close();
    log.info("stopped; {} connections cut at the drain deadline", cut);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  private static void shutdownQuietly(
      Alerting alerts,
      AdminServer admin,
      ScheduledExecutorService sweeper,
      Gateway gateway,
      Escrow escrow,
      NodeStore store) {
    for (Runnable r :
        List.<Runnable>of(
            () -> {
              if (alerts != null) {
                alerts.close();
              }
            },
            () -> {
              if (admin != null) {
                admin.stop();
              }
            },
            () -> {
              if (sweeper != null) {
                sweeper.shutdownNow();
              }
            },
            () -> {
              if (gateway != null) {
                gateway.close();
              }
            },
            () -> {
              if (escrow != null) {
                escrow.close();
              }
            },
            store::close)) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.debug("while shutting down after a failed start: {}", e.toString());
      }
    }
  }
}
