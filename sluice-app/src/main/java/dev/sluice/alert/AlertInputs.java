package dev.sluice.alert;

import dev.sluice.budget.BudgetTree;
import dev.sluice.cluster.EtcdBudgetStore;
import dev.sluice.config.SluiceConfig;
import dev.sluice.escrow.Escrow;
import dev.sluice.gateway.stats.DetectionStats;
import dev.sluice.gateway.stats.ProbeStats;
import dev.sluice.halt.HaltState;
import dev.sluice.ledger.Ledger;
import dev.sluice.store.BudgetStore;
import dev.sluice.store.StrandedReport;
import dev.sluice.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What the alerts read: the running node's configuration (with its {@code alerts} section), budget
 * tree, store and escrow, ledger, halt switches, this gateway's egress counter and the escrow found
 * stranded at start.
 *
 * @param egressBytes this gateway node's cumulative egress ({@code GatewayStats::egressBytes})
 * @param probe the compressibility probe's counters per tenant ({@code GatewayStats::probe})
 * @param detections the scan stage's findings ({@code GatewayStats.detections()}), or null
 */
public record AlertInputs(
    SluiceConfig config,
    BudgetTree tree,
    BudgetStore store,
    Escrow escrow,
    Ledger ledger,
    HaltState halts,
    LongSupplier egressBytes,
    ProbeStats probe,
    StrandedReport stranded,
    Clock clock,
    DetectionStats detections) {

  public AlertInputs {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(config.alerts(), "config.alerts (no alerts section)");
    Objects.requireNonNull(tree, "tree");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(ledger, "ledger");
    Objects.requireNonNull(halts, "halts");
    Objects.requireNonNull(egressBytes, "egressBytes");
    Objects.requireNonNull(probe, "probe");
    Objects.requireNonNull(stranded, "stranded");
    Objects.requireNonNull(clock, "clock");
  }

  /** The etcd store when the budget is shared by many gateway nodes. */
  Optional<EtcdBudgetStore> cluster() {
    return store instanceof EtcdBudgetStore etcd ? Optional.of(etcd) : Optional.empty();
  }
}
