package dev.sluice.admin;

import dev.sluice.config.SluiceConfig;
import dev.sluice.ledger.LedgerEntry;

/**
 * Replaces the running node's configuration with an approved one. Called by {@link ChangeGate} once
 * the change is checked and its proposal and approvals are in the ledger; it returns at once and
 * applies the change on a thread of its own (the admin server answering the request is itself
 * replaced), appending {@code application} to the ledger once the new configuration runs.
 */
@FunctionalInterface
public interface ConfigSwap {

  /** For nodes run without a way to swap (tests, embedded use): every reload is refused. */
  ConfigSwap NONE =
      (next, application) -> {
        throw new IllegalStateException("this node cannot reload its configuration");
      };

  /** Starts replacing the running configuration with {@code next}. */
  void apply(SluiceConfig next, LedgerEntry application);

  /**
   * {@code c} as this node would run it: with the ports it is bound to where {@code c} says port 0
   * (so a file with port 0 compares equal to the node started from it). Identity by default.
   */
  default SluiceConfig asRun(SluiceConfig c) {
    return c;
  }
}
