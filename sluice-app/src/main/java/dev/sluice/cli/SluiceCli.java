package dev.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sluice} command. Subcommands do one job each; this class only wires them together.
 *
 * <p>Exit codes: 0 success, 1 a check failed (for example {@code ledger verify} found a problem), 2
 * bad usage or invalid configuration, 3 an operational error (I/O, unreadable files, no admin API
 * to talk to). Commands that talk to a running node's admin API ({@code status}, {@code halt},
 * {@code resume}) exit 1 when the node refuses or fails the request.
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = SluiceCli.EXIT_USAGE,
    exitCodeOnExecutionException = SluiceCli.EXIT_IO,
    versionProvider = SluiceCli.Version.class,
    description = "Metering egress gateway: hard upload budgets and a tamper-evident ledger.",
    subcommands = {
      CommandLine.HelpCommand.class,
      CheckConfigCommand.class,
      RunCommand.class,
      EdgeCommand.class,
      DemoCommand.class,
      LedgerCommand.class,
      StatusCommand.class,
      HaltCommand.class,
      ResumeCommand.class
    })
public final class SluiceCli implements Runnable {

  /** A check ran and found a problem. */
  public static final int EXIT_CHECK_FAILED = 1;

  /** Bad usage or invalid configuration. */
  public static final int EXIT_USAGE = 2;

  /** An operational error: a file could not be read or written, the admin API is not there. */
  public static final int EXIT_IO = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** The configured command line, shared by {@link #main} and tests. */
  public static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new SluiceCli());
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reads the version from the jar manifest, falling back to "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SluiceCli.class.getPackage().getImplementationVersion();
      return new String[] {"sluice " + (v == null ? "dev" : v)};
    }
  }
}
