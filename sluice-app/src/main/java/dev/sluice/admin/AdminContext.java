package dev.sluice.admin;

import dev.sluice.alert.Alerting;
import dev.sluice.budget.BudgetTree;
import dev.sluice.cluster.EtcdBudgetStore;
import dev.sluice.config.SluiceConfig;
import dev.sluice.escrow.Escrow;
import dev.sluice.gateway.stats.GatewayStats;
import dev.sluice.halt.FleetHalts;
import dev.sluice.halt.HaltState;
import dev.sluice.ledger.Ledger;
import dev.sluice.store.BudgetStore;
import dev.sluice.store.StrandedReport;
import dev.sluice.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What the admin server reads and acts on: the running node's configuration, budgets, escrow,
 * ledger, halt switches and data-plane counters.
 *
 * @param store the budget store: the embedded one, or the etcd store when the budget is shared by
 *     many gateway nodes ({@link #cluster})
 * @param listenersBound true once every listener of the configuration is bound
 * @param storeMetrics the store's grant observer, registered with {@code /metrics}
 * @param fleet the halts shared with every node of the etcd store ({@link FleetHalts#NONE} on the
 *     embedded store); the admin server applies them and publishes its own
 * @param alerts the node's alerts ({@code GET /api/alerts}), or null without an {@code alerts}
 *     section (the endpoint is then 404)
 * @param swap how an approved reload replaces the running configuration
 * @param transfers the approved large transfers: kept in the data directory or in etcd, in force in
 *     its {@link TransferBook#allowances()}, which the gateway shares
 */
public record AdminContext(
    SluiceConfig config,
    BudgetTree tree,
    BudgetStore store,
    Escrow escrow,
    Ledger ledger,
    HaltState halts,
    GatewayStats stats,
    StrandedReport stranded,
    Clock clock,
    BooleanSupplier listenersBound,
    StoreMetrics storeMetrics,
    FleetHalts fleet,
    Alerting alerts,
    ConfigSwap swap,
    TransferBook transfers) {
  public AdminContext {
    Objects.requireNonNull(transfers, "transfers");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(tree, "tree");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(escrow, "escrow");
    Objects.requireNonNull(ledger, "ledger");
    Objects.requireNonNull(halts, "halts");
    Objects.requireNonNull(stats, "stats");
    Objects.requireNonNull(stranded, "stranded");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(listenersBound, "listenersBound");
    Objects.requireNonNull(storeMetrics, "storeMetrics");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(swap, "swap");
  }

  /** A node whose large-transfer allowances are its own (no gateway shares them). */
  public AdminContext(
      SluiceConfig config,
      BudgetTree tree,
      BudgetStore store,
      Escrow escrow,
      Ledger ledger,
      HaltState halts,
      GatewayStats stats,
      StrandedReport stranded,
      Clock clock,
      BooleanSupplier listenersBound,
      StoreMetrics storeMetrics,
      FleetHalts fleet,
      Alerting alerts,
      ConfigSwap swap) {
    this(
        config,
        tree,
        store,
        escrow,
        ledger,
        halts,
        stats,
        stranded,
        clock,
        listenersBound,
        storeMetrics,
        fleet,
        alerts,
        swap,
        TransferBook.inMemory(config, clock));
  }

  /** A node on the embedded store, with alerts (null: none), that cannot swap its configuration. */
  public AdminContext(
      SluiceConfig config,
      BudgetTree tree,
      BudgetStore store,
      Escrow escrow,
      Ledger ledger,
      HaltState halts,
      GatewayStats stats,
      StrandedReport stranded,
      Clock clock,
      BooleanSupplier listenersBound,
      StoreMetrics storeMetrics,
      Alerting alerts) {
    this(
        config,
        tree,
        store,
        escrow,
        ledger,
        halts,
        stats,
        stranded,
        clock,
        listenersBound,
        storeMetrics,
        FleetHalts.NONE,
        alerts,
        ConfigSwap.NONE);
  }

  /** A node on the local store. */
  public AdminContext(
      SluiceConfig config,
      BudgetTree tree,
      BudgetStore store,
      Escrow escrow,
      Ledger ledger,
      HaltState halts,
      GatewayStats stats,
      StrandedReport stranded,
      Clock clock,
      BooleanSupplier listenersBound) {
    this(
        config,
        tree,
        store,
        escrow,
        ledger,
        halts,
        stats,
        stranded,
        clock,
        listenersBound,
        new StoreMetrics(),
        FleetHalts.NONE,
        null,
        ConfigSwap.NONE);
  }

  /**
   * The etcd store when the budget is shared by many gateway nodes; empty on the embedded store.
   */
  public Optional<EtcdBudgetStore> cluster() {
    return store instanceof EtcdBudgetStore etcd ? Optional.of(etcd) : Optional.empty();
  }
}
