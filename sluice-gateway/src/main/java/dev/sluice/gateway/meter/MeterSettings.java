package dev.sluice.gateway.meter;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.stats.GatewayStats;
import dev.sluice.halt.HaltState;
import dev.sluice.time.Clock;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What every {@link EgressMeter} of one listener shares: the clock, the halt switches of the
 * listener's zone, whether the ledger is writable, enforce or report mode, the counters, the
 * control allowance's escrow account, and the node-local reserve that pays for denial responses
 * while the store cannot grant that escrow.
 */
public record MeterSettings(
    Clock clock,
    HaltState.Flag siteHalt,
    HaltState.Flag zoneHalt,
    BooleanSupplier ledgerHealthy,
    boolean reportMode,
    GatewayStats stats,
    GatewayStats.ListenerStats listenerStats,
    EscrowAccount control,
    ControlReserve controlReserve) {
  public MeterSettings {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(siteHalt, "siteHalt");
    Objects.requireNonNull(zoneHalt, "zoneHalt");
    Objects.requireNonNull(ledgerHealthy, "ledgerHealthy");
    Objects.requireNonNull(stats, "stats");
    Objects.requireNonNull(listenerStats, "listenerStats");
    Objects.requireNonNull(control, "control");
    Objects.requireNonNull(controlReserve, "controlReserve");
  }
}
