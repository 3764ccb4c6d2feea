package dev.sluice.app;

import dev.sluice.admin.AdminContext;
import dev.sluice.admin.AdminServer;
import dev.sluice.admin.ConfigSwap;
import dev.sluice.admin.StoreMetrics;
import dev.sluice.alert.AlertInputs;
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
import java.net.InetAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
 * unspent escrow, records the stop, writes the budget snapshot and signs a final checkpoint.
 */
public final class SluiceNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SluiceNode.class);

  private final SluiceConfig config;
  private final Clock clock;
  private final BudgetTree tree;
  private final NodeStore store;
  private final Escrow escrow;
  private final HaltState halts;
  private final GatewayStats stats;
  private final Gateway gateway;
  private final ScheduledExecutorService sweeper;
  private final AdminServer admin;
  private final Alerting alerts;
  private boolean closed;

  private SluiceNode(
      SluiceConfig config,
      Clock clock,
      BudgetTree tree,
      NodeStore store,
      Escrow escrow,
      HaltState halts,
      GatewayStats stats,
      Gateway gateway,
      ScheduledExecutorService sweeper,
      AdminServer admin,
      Alerting alerts) {
    this.config = config;
    this.clock = clock;
    this.tree = tree;
    this.store = store;
    this.escrow = escrow;
    this.halts = halts;
    this.stats = stats;
    this.gateway = gateway;
    this.sweeper = sweeper;
    this.admin = admin;
    this.alerts = alerts;
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
    prepareDataDir(dataDir);
    CodecModel codec = loadCodec(config); // before anything is opened: a bad file fails first
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
      record(ledger, startEntry(config, clock));
      record(ledger, configEntry(config, clock));
      EscrowConfig ec = config.escrow();
      escrow = new Escrow(store.budgets(), clock, ec.lowWaterPercent(), ec.grantTtl());
      HaltState halts = HaltState.persistent(tree.zones(), dataDir.resolve("halts"));
      GatewayStats stats =
          new GatewayStats(config.listeners().stream().map(l -> l.name()).toList());
      Evidence evidence = new Evidence(ledger, clock, stats);
      sweeper = Executors.newSingleThreadScheduledExecutor(daemon("sluice-escrow-sweeper"));
      Escrow e = escrow;
      sweeper.scheduleWithFixedDelay(e::sweep, 1, 1, TimeUnit.SECONDS);
      // The admin server (and with it the fleet's halts) before the listeners: a node that
      // starts while the fleet is halted applies the halt before it accepts any client.
      AtomicReference<Gateway> started = new AtomicReference<>();
      if (config.alerts() != null) {
        alerts =
            Alerting.create(
                new AlertInputs(
                    config,
                    tree,
                    store.budgets(),
                    escrow,
                    ledger,
                    halts,
                    stats::egressBytes,
                    store.stranded(),
                    clock,
                    stats.detections()));
      }
      TransferAllowances transfers = new TransferAllowances();
      admin =
          new AdminServer(
                  new AdminContext(
                      config,
                      tree,
                      store.budgets(),
                      escrow,
                      ledger,
                      halts,
                      stats,
                      store.stranded(),
                      clock,
                      () -> {
                        Gateway g = started.get();
                        return g != null && g.allBound();
                      },
                      storeMetrics,
                      store.fleet(),
                      alerts,
                      swap,
                      transfers))
              .start();
      if (alerts != null) {
        alerts.start(
            (config.admin().tls() == null ? "http" : "https") + "://" + hostPort(admin.address()));
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
                  transfers,
                  indexes));
      started.set(gateway);
      log.info(
          "admin API on {}://{}",
          config.admin().tls() == null ? "http" : "https",
          hostPort(admin.address()));
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
      return new SluiceNode(
          config, clock, tree, store, escrow, halts, stats, gateway, sweeper, admin, alerts);
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
   * The egress codec model, loaded once: {@code codec.model} if configured (a file that cannot be
   * read stops the start, naming the file and the reason), else the built-in one; null when no
   * listener has {@code peer: edge} and no model is configured.
   */
  private static CodecModel loadCodec(SluiceConfig config) throws NodeStartException {
    Path file = config.codec().model();
    if (file == null) {
      if (!config.hasEdgeListener()) {
        return null;
      }
      CodecModel m = CodecModel.builtIn();
      log.info("codec model: built-in (id {})", m.idHex());
      return m;
    }
    try {
      CodecModel m = CodecModel.read(file);
      log.info("codec model: {} (id {})", file, m.idHex());
      return m;
    } catch (IOException | RuntimeException e) {
      throw new NodeStartException(
          "codec.model " + file.toAbsolutePath() + ": cannot load the codec model: " + e, e);
    }
  }

  private static void prepareDataDir(Path dataDir) throws NodeStartException {
    try {
      Files.createDirectories(dataDir);
      if (!Files.isWritable(dataDir)) {
        throw new AccessDeniedException(dataDir.toString());
      }
    } catch (IOException e) {
      throw new NodeStartException(
          "data_dir " + dataDir.toAbsolutePath() + " is not a writable directory: " + e, e);
    }
  }

  private static LedgerEntry startEntry(SluiceConfig c, Clock clock) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown";
    }
    String version = SluiceNode.class.getPackage().getImplementationVersion();
    return LedgerEntry.builder(EntryType.START, clock.millis())
        .put("site", c.site())
        .put("host", host)
        .put("version", version == null ? "dev" : version)
        .put("time_zone", c.timeZone().getId())
        .put("mode", c.mode().name().toLowerCase(Locale.ROOT))
        .build();
  }

  private static LedgerEntry configEntry(SluiceConfig c, Clock clock) {
    return LedgerEntry.builder(EntryType.CONFIG, clock.millis())
        .put("source", c.sourceName())
        .put("sha256", c.sha256Hex())
        .put("mode", c.mode().name().toLowerCase(Locale.ROOT))
        .put("weight_bytes", c.model().weightBytes())
        .build();
  }

  private static void record(Ledger ledger, LedgerEntry e) throws IOException {
    try {
      ledger.append(e).join();
    } catch (RuntimeException err) {
      throw new IOException("the ledger refused the " + e.type().label() + " entry", err);
    }
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

  static String hostPort(java.net.InetSocketAddress a) {
    String h = a.getAddress().getHostAddress();
    return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
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
    admin.stop();
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

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
