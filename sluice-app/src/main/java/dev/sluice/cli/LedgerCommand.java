package dev.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluice ledger ...}: offline tools for the tamper-evident ledger. They read a ledger
 * directory (or a data directory holding {@code ledger/}) and never need the private key; {@code
 * reconcile} also reads (never writes) the etcd counters the ledgers' grants were charged to.
 */
@Command(
    name = "ledger",
    mixinStandardHelpOptions = true,
    description =
        "Verify, read and prove entries of a ledger directory, offline; reconcile the gateway"
            + " nodes' ledgers with etcd.",
    subcommands = {
      LedgerVerifyCommand.class,
      LedgerTailCommand.class,
      LedgerProveCommand.class,
      LedgerCheckProofCommand.class,
      LedgerReconcileCommand.class
    })
final class LedgerCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
