package dev.sluice.gateway;

import dev.sluice.budget.BudgetTree;
import dev.sluice.codec.CodecModel;
import dev.sluice.config.SluiceConfig;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.escrow.Escrow;
import dev.sluice.gateway.evidence.Evidence;
import dev.sluice.gateway.forward.HostResolver;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.gateway.stats.GatewayStats;
import dev.sluice.halt.HaltState;
import dev.sluice.time.Clock;
import dev.sluice.transfer.TransferAllowances;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What a {@link Gateway} is built from: the validated configuration and the services of the node
 * (budget tree, escrow, evidence, halt switches, counters, clock), plus whether the ledger is
 * writable (the meter refuses egress when it is not), and how forward listeners resolve destination
 * names.
 *
 * @param ioThreads event loop threads (0: Netty's default, two per core)
 * @param resolver destination name resolution for forward listeners (tests map names to loopback)
 * @param codecModel the egress codec model of {@code peer: edge} listeners, loaded once at start;
 *     null when no listener has {@code peer: edge}
 * @param indexes the fingerprint indexes of the {@code detection} sections, by their configured
 *     path, loaded once at start (a listener whose zone names an index missing here is refused by
 *     {@code Detector})
 */
public record GatewayContext(
    SluiceConfig config,
    BudgetTree tree,
    Escrow escrow,
    Evidence evidence,
    HaltState halts,
    GatewayStats stats,
    Clock clock,
    BooleanSupplier ledgerHealthy,
    Transport transport,
    int ioThreads,
    HostResolver resolver,
    CodecModel codecModel,
    TransferAllowances transfers,
    Map<Path, FingerprintIndex> indexes) {

  /**
   * This context for a reloaded configuration: {@code config}, its tree, codec model,
   * large-transfer allowances and fingerprint indexes (loaded for it: a reload must not drop
   * detection); the node's services (escrow, evidence, halts, counters, clock, transport, resolver)
   * stay.
   */
  public GatewayContext reloaded(
      SluiceConfig config,
      BudgetTree tree,
      CodecModel codecModel,
      TransferAllowances transfers,
      Map<Path, FingerprintIndex> indexes) {
    return new GatewayContext(
        config,
        tree,
        escrow,
        evidence,
        halts,
        stats,
        clock,
        ledgerHealthy,
        transport,
        ioThreads,
        resolver,
        codecModel,
        transfers,
        indexes);
  }

  public GatewayContext {
    Objects.requireNonNull(transfers, "transfers");
    indexes = Map.copyOf(indexes);
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(tree, "tree");
    Objects.requireNonNull(escrow, "escrow");
    Objects.requireNonNull(evidence, "evidence");
    Objects.requireNonNull(halts, "halts");
    Objects.requireNonNull(stats, "stats");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(ledgerHealthy, "ledgerHealthy");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(resolver, "resolver");
  }
}
