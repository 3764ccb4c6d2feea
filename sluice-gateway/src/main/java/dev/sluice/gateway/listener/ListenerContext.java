package dev.sluice.gateway.listener;

import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.config.ListenerConfig;
import dev.sluice.escrow.Escrow;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.evidence.Evidence;
import dev.sluice.gateway.meter.MeterSettings;
import dev.sluice.gateway.scan.Detector;
import dev.sluice.gateway.transfer.MaxTransfer;
import dev.sluice.halt.HaltState;
import dev.sluice.time.Clock;
import java.util.List;

/**
 * Everything the handlers of one listener share: its configuration, the budget tree and escrow, the
 * meter settings (halt switches, mode, counters, control allowance), evidence and the socket
 * transport, the zone's largest single transfer, and its detection ({@code detection}; {@link
 * Detector#NONE} when off). Immutable.
 */
public record ListenerContext(
    ListenerConfig config,
    BudgetTree tree,
    Escrow escrow,
    MeterSettings meter,
    Evidence evidence,
    Transport transport,
    Clock clock,
    MaxTransfer maxTransfer,
    Detector detector) {

  /** A listener without detection. */
  public ListenerContext(
      ListenerConfig config,
      BudgetTree tree,
      Escrow escrow,
      MeterSettings meter,
      Evidence evidence,
      Transport transport,
      Clock clock,
      MaxTransfer maxTransfer) {
    this(config, tree, escrow, meter, evidence, transport, clock, maxTransfer, Detector.NONE);
  }

  /** A listener whose zone has no {@code max_transfer}. */
  public ListenerContext(
      ListenerConfig config,
      BudgetTree tree,
      Escrow escrow,
      MeterSettings meter,
      Evidence evidence,
      Transport transport,
      Clock clock) {
    this(config, tree, escrow, meter, evidence, transport, clock, MaxTransfer.NONE);
  }

  public String zone() {
    return config.zone();
  }

  public String name() {
    return config.name();
  }

  /** The escrow account of {@code tenant} in this listener's zone, without a destination. */
  public EscrowAccount account(String tenant) {
    BudgetPath p = tree.path(config.zone(), tenant, null);
    return escrow.account(p);
  }

  /** Tenants of this listener's zone. */
  public List<String> tenants() {
    return tree.tenants(config.zone());
  }

  /**
   * The tenant for a requested name: itself if the zone has it, else the zone's {@code default}
   * tenant, else null (the caller refuses).
   */
  public String tenantOrDefault(String requested) {
    List<String> tenants = tenants();
    if (requested != null && tenants.contains(requested)) {
      return requested;
    }
    return tenants.contains("default") ? "default" : null;
  }

  public HaltState.Flag siteHalt() {
    return meter.siteHalt();
  }

  public HaltState.Flag zoneHalt() {
    return meter.zoneHalt();
  }
}
