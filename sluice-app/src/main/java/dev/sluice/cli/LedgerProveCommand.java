package dev.sluice.cli;

import dev.sluice.ledger.InclusionProof;
import dev.sluice.ledger.LedgerCorruptionException;
import dev.sluice.ledger.LedgerReader;
import dev.sluice.ledger.NoteVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice ledger prove DIR --index N}: writes a self-contained inclusion proof of entry N
 * against the latest checkpoint ({@link ProofDocument}), to stdout or {@code --out FILE}.
 */
@Command(
    name = "prove",
    mixinStandardHelpOptions = true,
    description = "Write an inclusion proof of one entry against the latest signed checkpoint.")
final class LedgerProveCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "DIR",
      description = "Ledger directory, or a data directory holding ledger/.")
  Path dir;

  @Option(
      names = "--index",
      paramLabel = "N",
      required = true,
      description = "Index of the entry to prove.")
  long index;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Write the proof here instead of stdout.")
  Path out;

  @Override
  public Integer call() {
    try {
      NoteVerifier key;
      try (LedgerReader reader = LedgerReader.open(dir)) {
        key = reader.verifierKey();
      }
      String doc = ProofDocument.write(InclusionProof.create(dir, index), key);
      if (out == null) {
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(doc);
        stdout.flush(); // print() does not auto-flush, and main() exits right after
      } else {
        Files.writeString(out, doc, StandardCharsets.UTF_8);
      }
      return 0;
    } catch (IllegalArgumentException | LedgerCorruptionException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return SluiceCli.EXIT_CHECK_FAILED;
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
