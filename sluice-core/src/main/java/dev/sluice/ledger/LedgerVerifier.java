package dev.sluice.ledger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies a ledger directory offline, as an auditor would: with the public key only, changing
 * nothing. It checks, stopping at the first problem:
 *
 * <ol>
 *   <li>the verifier key ({@code ledger.vkey}, or one given) is well-formed;
 *   <li>every checkpoint frame's framing and CRC, signature, origin, and that sizes never shrink;
 *   <li>the entries file header, and every record's framing, CRC, index sequence and canonical
 *       payload; entry 0 is the GENESIS naming this origin and key, and no other entry is;
 *   <li>the recomputed Merkle root at every checkpoint's size, the consistency proof between
 *       consecutive checkpoints, and that no checkpoint covers more entries than the log holds;
 *   <li>the budget entries' amounts (non-negative, no overflow, never more returned than granted),
 *       summed per node into the report;
 *   <li>every change approval: it follows a proposal of the same change, names an operator of that
 *       proposal with that operator's key, and its Ed25519 signature verifies ({@link
 *       ChangeAudit}).
 * </ol>
 *
 * <p>A torn tail that the ledger would repair on its next open is still reported: the files as they
 * are do not verify. Thread-safe: each call works on its own state.
 */
public final class LedgerVerifier {

  private LedgerVerifier() {}

  /** Verifies against the directory's own {@code ledger.vkey}. */
  public static VerifyReport verify(Path dir) throws IOException {
    return verify(dir, null);
  }

  /**
   * Verifies {@code dir} (a ledger directory or a data directory holding {@code ledger/}) against
   * {@code key}, or against {@code ledger.vkey} when {@code key} is null.
   *
   * @throws NoSuchFileException if there is no ledger at {@code dir}
   * @throws IOException if a file cannot be read
   */
  public static VerifyReport verify(Path dir, NoteVerifier key) throws IOException {
    return new Run(LedgerReader.resolve(dir)).verify(key);
  }

  /** One verification; holds what was established so far for the report. */
  private static final class Run {
    private final Path dir;
    private final BudgetTotals totals = new BudgetTotals();
    private final ChangeAudit changes = new ChangeAudit();
    private final List<Checkpoint> checkpoints = new ArrayList<>();
    private List<CheckpointsFile.Frame> frames = List.of();
    private TreeAudit tree = new TreeAudit(List.of(), List.of());

    Run(Path dir) {
      this.dir = dir;
    }

    VerifyReport verify(NoteVerifier given) throws IOException {
      VerifyReport.Problem p;
      try {
        NoteVerifier key = given != null ? given : readKey();
        readCheckpoints(key);
        tree = new TreeAudit(frames, checkpoints);
        p = readEntries(key);
      } catch (Stop s) {
        p = s.problem;
      }
      Checkpoint last = checkpoints.isEmpty() ? null : checkpoints.get(checkpoints.size() - 1);
      return new VerifyReport(
          p, tree.size(), tree.root(), checkpoints.size(), last, totals.result());
    }

    private NoteVerifier readKey() throws IOException, Stop {
      Path file = dir.resolve(LedgerKeys.VKEY_FILE);
      if (!Files.exists(file)) {
        throw new Stop(VerifyReport.Problem.file(LedgerKeys.VKEY_FILE, -1, "missing"));
      }
      try {
        return LedgerKeys.readVerifier(file);
      } catch (InvalidNoteException e) {
        throw new Stop(VerifyReport.Problem.file(LedgerKeys.VKEY_FILE, 0, e.getMessage()));
      }
    }

    private void readCheckpoints(NoteVerifier key) throws IOException, Stop {
      Path file = dir.resolve(CheckpointsFile.NAME);
      if (!Files.exists(file)) {
        throw new Stop(VerifyReport.Problem.file(CheckpointsFile.NAME, -1, "missing"));
      }
      CheckpointsFile.Scan scan;
      try (IoChannel ch = LedgerIo.standard().open(file, LedgerIo.Mode.READ)) {
        scan = CheckpointsFile.scan(ch);
      } catch (LedgerCorruptionException e) {
        throw new Stop(VerifyReport.Problem.file(CheckpointsFile.NAME, e.offset(), e.getMessage()));
      }
      frames = scan.frames();
      for (CheckpointsFile.Frame f : frames) {
        Checkpoint c;
        try {
          c = Checkpoint.open(f.note(), key);
        } catch (InvalidNoteException e) {
          throw new Stop(VerifyReport.Problem.checkpoint(f.number(), f.offset(), e.getMessage()));
        }
        if (!checkpoints.isEmpty() && c.size() < checkpoints.get(checkpoints.size() - 1).size()) {
          throw new Stop(
              VerifyReport.Problem.checkpoint(
                  f.number(),
                  f.offset(),
                  "size "
                      + c.size()
                      + " is smaller than the previous checkpoint's "
                      + checkpoints.get(checkpoints.size() - 1).size()
                      + ": the log was rolled back"));
        }
        checkpoints.add(c);
      }
      if (scan.problem() != null) {
        throw new Stop(
            VerifyReport.Problem.checkpoint(frames.size(), scan.validEnd(), scan.problem()));
      }
    }

    private VerifyReport.Problem readEntries(NoteVerifier key) throws IOException, Stop {
      Path file = dir.resolve(EntriesFile.NAME);
      try (IoChannel ch = LedgerIo.standard().open(file, LedgerIo.Mode.READ)) {
        EntriesFile.Header header;
        try {
          header = EntriesFile.readHeader(ch);
        } catch (LedgerCorruptionException e) {
          return VerifyReport.Problem.file(EntriesFile.NAME, e.offset(), e.getMessage());
        }
        check(tree.atBoundary());
        RecordScanner s = new RecordScanner(ch, EntriesFile.HEADER_SIZE, 0, header.maxPayload());
        while (s.next()) {
          LedgerEntry e;
          try {
            e = EntryCodec.decode(s.payloadArray(), s.payloadOffset(), s.payloadLength());
          } catch (EntryFormatException ex) {
            return VerifyReport.Problem.entry(s.index(), s.offset(), ex.getMessage());
          }
          String wrong = s.index() == 0 ? checkGenesis(e, key) : checkEntry(e);
          if (wrong != null) {
            return VerifyReport.Problem.entry(s.index(), s.offset(), wrong);
          }
          tree.addLeaf(s.payloadArray(), s.payloadOffset(), s.payloadLength());
          check(tree.atBoundary());
        }
        if (s.problem() != null) {
          return VerifyReport.Problem.entry(s.index(), s.offset(), s.problem());
        }
        if (tree.size() == 0) {
          return VerifyReport.Problem.entry(0, EntriesFile.HEADER_SIZE, "no GENESIS entry");
        }
        return tree.atEnd();
      }
    }

    private String checkEntry(LedgerEntry e) {
      if (e.type() == EntryType.GENESIS) {
        return "a second GENESIS entry";
      }
      String change = changes.check(e);
      return change != null ? change : totals.add(e);
    }

    private static String checkGenesis(LedgerEntry e, NoteVerifier key) {
      if (e.type() != EntryType.GENESIS) {
        return "first entry is " + e.type().label() + ", not genesis";
      }
      if (!key.name().equals(e.get("origin"))) {
        return "genesis origin " + e.get("origin") + " is not the key name " + key.name();
      }
      if (!key.encode().equals(e.get("vkey"))) {
        return "genesis key " + e.get("vkey") + " is not the verifier key " + key.encode();
      }
      if (!Long.valueOf(EntriesFile.VERSION).equals(e.get("format_version"))) {
        return "genesis format_version "
            + e.get("format_version")
            + " is not "
            + EntriesFile.VERSION;
      }
      return null;
    }

    private static void check(VerifyReport.Problem p) throws Stop {
      if (p != null) {
        throw new Stop(p);
      }
    }
  }

  /** Unwinds a run at its first problem. */
  private static final class Stop extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient VerifyReport.Problem problem;

    Stop(VerifyReport.Problem problem) {
      super(problem.describe(), null, false, false);
      this.problem = problem;
    }
  }
}
