package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.ledger.EntryFormatException;
import dev.sluice.ledger.InclusionProof;
import dev.sluice.ledger.IndexedEntry;
import dev.sluice.ledger.InvalidNoteException;
import dev.sluice.ledger.LedgerTime;
import dev.sluice.ledger.NoteVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice ledger check-proof FILE [--vkey KEY]}: checks an inclusion proof written by {@code
 * ledger prove}. Without {@code --vkey} the key inside the document is used, which only shows the
 * proof is self-consistent; pass the ledger's key obtained independently to trust it.
 */
@Command(
    name = "check-proof",
    mixinStandardHelpOptions = true,
    description =
        "Check an inclusion proof: checkpoint signature, entry, audit path. Exit 0 if it holds, 1 if not.")
final class LedgerCheckProofCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The proof document.")
  Path file;

  @Option(
      names = "--vkey",
      paramLabel = "KEY",
      description = "The ledger's verifier key (text or file).")
  String vkey;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: cannot read " + file + ": " + e.getMessage());
      return SluiceCli.EXIT_IO;
    }
    try {
      JsonNode doc = ProofDocument.parse(text);
      NoteVerifier key = vkey != null ? VerifierKeys.parse(vkey) : ProofDocument.embeddedKey(doc);
      InclusionProof proof = ProofDocument.open(doc, key);
      String problem = proof.problem();
      if (problem != null) {
        out.println("FAIL " + problem);
        return SluiceCli.EXIT_CHECK_FAILED;
      }
      out.println(
          "OK entry "
              + proof.index()
              + " is in ledger "
              + proof.checkpoint().origin()
              + " at tree size "
              + proof.checkpoint().size()
              + " (checkpoint signed "
              + LedgerTime.format(proof.checkpoint().timeMillis())
              + ")");
      out.println(EntryFormat.line(new IndexedEntry(proof.index(), -1, proof.entry())));
      if (vkey == null) {
        out.println(
            "note: checked against the key inside the proof ("
                + key.encode()
                + "); pass --vkey with the ledger's key to trust it");
      }
      return 0;
    } catch (InvalidNoteException | EntryFormatException e) {
      out.println("FAIL " + e.getMessage());
      return SluiceCli.EXIT_CHECK_FAILED;
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return SluiceCli.EXIT_IO;
    }
  }
}
