package dev.sluice.app;

import dev.sluice.admin.AdminContext;
import dev.sluice.admin.AdminServer;
import dev.sluice.admin.ConfigSwap;
import dev.sluice.admin.StoreMetrics;
import dev.sluice.admin.TransferBook;
import dev.sluice.alert.AlertInputs;
import dev.sluice.alert.Alerting;
import dev.sluice.budget.BudgetTree;
import dev.sluice.config.SluiceConfig;
import dev.sluice.escrow.Escrow;
import dev.sluice.gateway.stats.GatewayStats;
import dev.sluice.halt.HaltState;
import dev.sluice.time.Clock;
import dev.sluice.transfer.TransferFile;
import java.io.IOException;

/**
 * How a node's alerts and admin context are built from a configuration and the node's services, the
 * same at start and at a reload applied in place ({@link SluiceNode#reconfigure}).
 */
final class NodeWiring {

  private NodeWiring() {}

  /** The node's alerts, not started; null without an {@code alerts} section. */
  static Alerting alertsOf(
      SluiceConfig config,
      BudgetTree tree,
      NodeStore store,
      Escrow escrow,
      HaltState halts,
      GatewayStats stats,
      Clock clock)
      throws IOException {
    if (config.alerts() == null) {
      return null;
    }
    return Alerting.create(
        new AlertInputs(
            config,
            tree,
            store.budgets(),
            escrow,
            store.ledger(),
            halts,
            stats::egressBytes,
            stats.probe(),
            store.stranded(),
            clock,
            stats.detections()));
  }

  static AdminContext adminContext(
      SluiceConfig config,
      BudgetTree tree,
      NodeStore store,
      StoreMetrics storeMetrics,
      Escrow escrow,
      HaltState halts,
      GatewayStats stats,
      Clock clock,
      java.util.function.BooleanSupplier bound,
      Alerting alerts,
      ConfigSwap swap,
      TransferBook transfers) {
    return new AdminContext(
        config,
        tree,
        store.budgets(),
        escrow,
        store.ledger(),
        halts,
        stats,
        store.stranded(),
        clock,
        bound,
        storeMetrics,
        store.fleet(),
        alerts,
        swap,
        transfers);
  }

  /** The admin API's URL, the alerts' default {@code externalURL}. */
  static String adminUrl(SluiceConfig config, AdminServer admin) {
    return (config.admin().tls() == null ? "http" : "https")
        + "://"
        + NodeSteps.hostPort(admin.address());
  }

  /**
   * The approved transfers of {@code c}, started: kept in the data directory on the local store,
   * shared through etcd on the etcd store (decision 0023).
   */
  static TransferBook transferBook(SluiceConfig c, NodeStore store, Clock clock) {
    TransferBook b =
        new TransferBook(
            c,
            clock,
            new TransferFile(c.dataDir().resolve("transfers")),
            store.transfers(),
            c.store().type() == dev.sluice.config.StoreType.ETCD
                ? c.store().etcd().timeout().toMillis()
                : 0);
    b.start();
    return b;
  }
}
