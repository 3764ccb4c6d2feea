package dev.sluice.cli;

import dev.sluice.ledger.IndexedEntry;
import dev.sluice.ledger.LedgerReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice ledger tail DIR [-n N] [--json]}: the last entries, one per line. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = "Show the last entries of a ledger.")
final class LedgerTailCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "DIR",
      description = "Ledger directory, or a data directory holding ledger/.")
  Path dir;

  @Option(
      names = "-n",
      paramLabel = "N",
      defaultValue = "20",
      description = "Number of entries (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "--json",
      description = "One JSON object per line: index, offset, type, time, fields.")
  boolean json;

  @Override
  public Integer call() {
    if (count < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "-n must not be negative: " + count);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (LedgerReader reader = LedgerReader.open(dir)) {
      for (IndexedEntry e : reader.tail(count)) {
        out.println(json ? EntryFormat.json(e).toString() : EntryFormat.line(e));
      }
      return 0;
    } catch (NoSuchFileException e) {
      spec.commandLine()
          .getErr()
          .println("error: no ledger at " + dir + " (" + e.getReason() + ")");
      return SluiceCli.EXIT_IO;
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return SluiceCli.EXIT_IO;
    }
  }
}
