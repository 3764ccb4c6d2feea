package dev.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sluice fingerprint ...}: the fingerprint index of weight files (DESIGN section 9). */
@Command(
    name = "fingerprint",
    mixinStandardHelpOptions = true,
    description = "Fingerprint weight files so the gateway can recognise them in egress.",
    subcommands = {FingerprintIndexCommand.class})
final class FingerprintCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
