package dev.sluice.cli;

import dev.sluice.ledger.Checkpoint;
import dev.sluice.ledger.InvalidNoteException;
import dev.sluice.ledger.LedgerReader;
import dev.sluice.ledger.LedgerTime;
import dev.sluice.ledger.LedgerVerifier;
import dev.sluice.ledger.NodeTotals;
import dev.sluice.ledger.NoteVerifier;
import dev.sluice.ledger.VerifyReport;
import dev.sluice.store.SnapshotCheck;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice ledger verify DIR}: recomputes the tree, checks every record, checkpoint signature
 * and consistency, sums the budget entries, and checks that the budget counters saved by the store
 * (its snapshot) equal the sum of the ledger. Exit 0 with a summary, or 1 with one line naming the
 * first problem's file, entry index or checkpoint, and byte offset.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description =
        "Verify a ledger: framing, hashes, checkpoint signatures and consistency, budget sums.")
final class LedgerVerifyCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "DIR",
      description = "Ledger directory, or a data directory holding ledger/.")
  Path dir;

  @Option(
      names = "--vkey",
      paramLabel = "KEY",
      description =
          "Verifier key (text or file) to check against instead of the directory's ledger.vkey.")
  String vkey;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    VerifyReport r;
    try {
      NoteVerifier key = vkey == null ? null : VerifierKeys.parse(vkey);
      r = LedgerVerifier.verify(dir, key);
    } catch (InvalidNoteException e) {
      err.println("error: --vkey: " + e.getMessage());
      return SluiceCli.EXIT_USAGE;
    } catch (NoSuchFileException e) {
      err.println("error: no ledger at " + dir + " (" + e.getReason() + ")");
      return SluiceCli.EXIT_IO;
    } catch (IOException e) {
      err.println("error: cannot read the ledger at " + dir + ": " + e.getMessage());
      return SluiceCli.EXIT_IO;
    }
    if (!r.ok()) {
      out.println("FAIL " + r.problem().describe());
      return SluiceCli.EXIT_CHECK_FAILED;
    }
    SnapshotCheck.Result counters;
    try {
      counters = SnapshotCheck.check(LedgerReader.resolve(dir));
    } catch (IOException | RuntimeException e) {
      out.println("FAIL budget counters: cannot check the snapshot: " + e.getMessage());
      return SluiceCli.EXIT_CHECK_FAILED;
    }
    if (!counters.ok()) {
      out.println("FAIL budget counters: " + counters.problems().get(0));
      return SluiceCli.EXIT_CHECK_FAILED;
    }
    printSummary(out, r);
    out.println(
        counters.snapshotPresent()
            ? "budget counters: the snapshot's counters equal the sum of the first "
                + counters.entriesChecked()
                + " entries"
            : "budget counters: no snapshot to compare (the store rebuilds from the ledger)");
    return 0;
  }

  private void printSummary(PrintWriter out, VerifyReport r) {
    Checkpoint last = r.lastCheckpoint();
    out.println("OK ledger " + dir + " verified");
    out.println("origin:          " + last.origin());
    out.println("entries:         " + r.entries() + " (tree size " + r.entries() + ")");
    out.println("root:            " + r.root().base64());
    out.println(
        "last checkpoint: size "
            + last.size()
            + ", signed "
            + LedgerTime.format(last.timeMillis())
            + " ("
            + r.checkpoints()
            + " checkpoints)");
    if (r.totals().isEmpty()) {
      out.println("budget totals:   none");
      return;
    }
    out.println("budget totals (bytes):");
    int width = Math.max(4, r.totals().keySet().stream().mapToInt(String::length).max().orElse(4));
    String row = "  %-" + width + "s %15s %15s %15s %15s %15s%n";
    out.printf(row, "node", "granted", "returned", "spent", "sent", "stranded");
    for (Map.Entry<String, NodeTotals> e : r.totals().entrySet()) {
      NodeTotals t = e.getValue();
      out.printf(row, e.getKey(), t.granted(), t.returned(), t.spent(), t.sent(), t.stranded());
    }
  }
}
