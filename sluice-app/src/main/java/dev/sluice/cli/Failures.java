package dev.sluice.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** Prints a {@link CommandFailure} the one way every command does: {@code error: MESSAGE}. */
final class Failures {

  private Failures() {}

  /** Prints {@code e} on stderr and returns its exit code. */
  static int report(CommandSpec spec, CommandFailure e) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("error: " + e.getMessage());
    err.flush();
    return e.exitCode();
  }
}
