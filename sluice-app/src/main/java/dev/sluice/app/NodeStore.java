package dev.sluice.app;

import dev.sluice.budget.BudgetTree;
import dev.sluice.cluster.EtcdBudgetStore;
import dev.sluice.cluster.EtcdHalts;
import dev.sluice.cluster.EtcdStoreOptions;
import dev.sluice.cluster.EtcdTransfers;
import dev.sluice.config.EscrowConfig;
import dev.sluice.config.LedgerConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.StoreConfig;
import dev.sluice.config.StoreType;
import dev.sluice.halt.FleetHalts;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.store.BudgetStore;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.GrantObserver;
import dev.sluice.store.LocalBudgetStore;
import dev.sluice.store.StrandedReport;
import dev.sluice.time.Clock;
import dev.sluice.transfer.FleetTransfers;
import java.io.IOException;
import java.util.Objects;

/**
 * A node's ledger and the budget store its escrow comes from, opened and closed together.
 *
 * <ul>
 *   <li>{@code local}: the store's durability is the ledger, so the store opens (and closes) it.
 *   <li>{@code etcd}: the counters live in etcd; the node opens its own ledger first and the store
 *       records this node's grants, settlements and stranded sets in it too.
 * </ul>
 *
 * Opening fails loudly (control plane): a ledger that cannot be opened, or an etcd that cannot be
 * reached at start, stops the node before any listener binds.
 */
final class NodeStore implements AutoCloseable {

  private final BudgetStore budgets;
  private final Ledger ledger;
  private final StrandedReport stranded;
  private final FleetHalts fleet;
  private final FleetTransfers transfers;

  private NodeStore(
      BudgetStore budgets,
      Ledger ledger,
      StrandedReport stranded,
      FleetHalts fleet,
      FleetTransfers transfers) {
    this.budgets = Objects.requireNonNull(budgets, "budgets");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.stranded = Objects.requireNonNull(stranded, "stranded");
    this.fleet = Objects.requireNonNull(fleet, "fleet");
    this.transfers = Objects.requireNonNull(transfers, "transfers");
  }

  /**
   * Opens the ledger and the configured store.
   *
   * @param observer told about every grant of a shared store (metrics)
   */
  static NodeStore open(SluiceConfig config, BudgetTree tree, Clock clock, GrantObserver observer)
      throws NodeStartException {
    EscrowConfig ec = config.escrow();
    ChunkPolicy policy = new ChunkPolicy(ec.minChunkBytes(), ec.maxChunkBytes());
    if (config.store().type() == StoreType.LOCAL) {
      try {
        LocalBudgetStore local =
            LocalBudgetStore.open(
                tree, config.timeZone(), ledgerOptions(config), policy, ec.grantTtl(), clock);
        return new NodeStore(
            local, local.ledger(), local.stranded(), FleetHalts.NONE, FleetTransfers.NONE);
      } catch (IOException | RuntimeException e) {
        throw new NodeStartException(ledgerFailure(config, e), e);
      }
    }
    Ledger ledger;
    try {
      ledger = Ledger.open(ledgerOptions(config), clock, null, entry -> {});
    } catch (IOException | RuntimeException e) {
      throw new NodeStartException(ledgerFailure(config, e), e);
    }
    try {
      EtcdBudgetStore etcd = openEtcd(config, tree, policy, clock, ledger, observer);
      FleetHalts fleet;
      FleetTransfers transfers;
      try {
        fleet = EtcdHalts.open(options(config));
      } catch (RuntimeException e) {
        etcd.close();
        throw e;
      }
      try {
        transfers = EtcdTransfers.open(options(config));
      } catch (RuntimeException e) {
        fleet.close();
        etcd.close();
        throw e;
      }
      return new NodeStore(etcd, ledger, etcd.stranded(), fleet, transfers);
    } catch (NodeStartException | RuntimeException e) {
      ledger.close();
      throw e;
    }
  }

  private static EtcdBudgetStore openEtcd(
      SluiceConfig config,
      BudgetTree tree,
      ChunkPolicy policy,
      Clock clock,
      Ledger ledger,
      GrantObserver observer)
      throws NodeStartException {
    StoreConfig sc = config.store();
    EtcdStoreOptions options = options(config);
    try {
      return EtcdBudgetStore.open(
          tree, config.timeZone(), options, policy, clock, ledger, observer);
    } catch (IOException | RuntimeException e) {
      throw new NodeStartException(
          "cannot open the etcd budget store at "
              + sc.etcd().endpoints()
              + " (prefix "
              + sc.etcd().prefix()
              + ", node_id "
              + sc.nodeId()
              + "): "
              + e.getMessage(),
          e);
    }
  }

  private static EtcdStoreOptions options(SluiceConfig config) {
    StoreConfig sc = config.store();
    return new EtcdStoreOptions(
        sc.etcd().endpoints(),
        sc.etcd().prefix(),
        sc.nodeId(),
        config.escrow().grantTtl(),
        sc.etcd().timeout());
  }

  private static String ledgerFailure(SluiceConfig config, Exception e) {
    return "cannot open the ledger in "
        + config.dataDir().resolve("ledger")
        + ": "
        + e.getMessage();
  }

  private static LedgerOptions ledgerOptions(SluiceConfig config) {
    LedgerConfig lc = config.ledger();
    LedgerOptions.Builder lo =
        LedgerOptions.builder(config.dataDir(), lc.origin())
            .checkpointInterval(lc.checkpointInterval())
            .maxBatchBytes(Math.toIntExact(lc.maxBatchBytes()));
    if (lc.signingKey() != null) {
      lo.signingKey(lc.signingKey());
    }
    return lo.build();
  }

  BudgetStore budgets() {
    return budgets;
  }

  Ledger ledger() {
    return ledger;
  }

  /** Escrow found unsettled at start (counted as spent, perhaps never sent). */
  StrandedReport stranded() {
    return stranded;
  }

  /**
   * The halts shared with every node of the etcd store (its own etcd connection, {@link
   * EtcdHalts}); {@link FleetHalts#NONE} on the local store.
   */
  FleetHalts fleet() {
    return fleet;
  }

  /**
   * The approved transfers shared with every node of the etcd store (its own etcd connection,
   * {@link EtcdTransfers}); {@link FleetTransfers#NONE} on the local store.
   */
  FleetTransfers transfers() {
    return transfers;
  }

  /**
   * Stops following the fleet's halts and transfers, closes the store, then the ledger (the store
   * writes its last entries there). Idempotent.
   */
  @Override
  public void close() {
    try {
      transfers.close();
      fleet.close();
      budgets.close();
    } finally {
      ledger.close();
    }
  }
}
