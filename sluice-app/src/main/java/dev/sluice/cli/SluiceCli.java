package dev.sluice.cli;

import dev.sluice.time.Clock;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
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
      ResumeCommand.class,
      TransferCommand.class,
      CodecCommand.class,
      FingerprintCommand.class,
      OperatorCommand.class,
      ChangeCommand.class,
      ReloadCommand.class
    })
public final class SluiceCli implements Runnable {

  /** A check ran and found a problem. */
  public static final int EXIT_CHECK_FAILED = 1;

  /** Bad usage or invalid configuration. */
  public static final int EXIT_USAGE = 2;

  /** An operational error: a file could not be read or written, the admin API is not there. */
  public static final int EXIT_IO = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final Io io;

  private SluiceCli(Io io) {
    this.io = Objects.requireNonNull(io, "io");
  }

  /**
   * What the commands read and write besides picocli's text streams: binary stdin and stdout (for
   * {@code codec compress|decompress}), the clock, and whether the output is a terminal (progress
   * bars redraw one line only then; Java 17 can only tell whether the process has a console, not
   * whether stderr alone is a terminal).
   */
  record Io(InputStream stdin, OutputStream stdout, Clock clock, boolean terminal) {
    Io {
      Objects.requireNonNull(stdin, "stdin");
      Objects.requireNonNull(stdout, "stdout");
      Objects.requireNonNull(clock, "clock");
    }

    /**
     * The process's streams and clock; stdout unbuffered and raw, so write errors are not swallowed
     * the way {@link System#out} swallows them; {@code terminal} when there is a console.
     */
    static Io system() {
      return new Io(
          System.in,
          new FileOutputStream(FileDescriptor.out),
          Clock.system(),
          System.console() != null);
    }
  }

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** The configured command line, shared by {@link #main} and tests. */
  public static CommandLine newCommandLine() {
    return newCommandLine(Io.system());
  }

  /** The command line with the given binary streams and clock (tests). */
  static CommandLine newCommandLine(Io io) {
    return new CommandLine(new SluiceCli(io));
  }

  /** The {@link Io} of the {@code sluice} command that {@code spec} belongs to. */
  static Io io(CommandLine.Model.CommandSpec spec) {
    return ((SluiceCli) spec.root().userObject()).io;
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
