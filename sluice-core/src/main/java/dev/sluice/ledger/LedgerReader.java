package dev.sluice.ledger;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a ledger directory offline, without its private key and without modifying anything: the
 * entries with their index and offset, the verifier key and the checkpoints. Safe to use on a
 * ledger that is being written; it reads up to the file size at the start of each pass.
 *
 * <p>Not thread-safe.
 */
public final class LedgerReader implements Closeable {

  /** Receives one raw record: its index, offset and payload bytes (valid during the call). */
  @FunctionalInterface
  interface RecordVisitor {
    void visit(long index, long offset, byte[] payload, int off, int len) throws IOException;
  }

  private final Path dir;
  private final IoChannel entries;
  private final EntriesFile.Header header;

  private LedgerReader(Path dir, IoChannel entries, EntriesFile.Header header) {
    this.dir = dir;
    this.entries = entries;
    this.header = header;
  }

  /**
   * Opens the ledger in {@code dir}: a ledger directory, or a data directory holding {@code
   * ledger/}.
   */
  public static LedgerReader open(Path dir) throws IOException {
    Path ledgerDir = resolve(dir);
    IoChannel ch =
        LedgerIo.standard().open(ledgerDir.resolve(EntriesFile.NAME), LedgerIo.Mode.READ);
    try {
      return new LedgerReader(ledgerDir, ch, EntriesFile.readHeader(ch));
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** The ledger directory for {@code dir}, which may be the ledger or the data directory. */
  public static Path resolve(Path dir) throws NoSuchFileException {
    if (Files.isRegularFile(dir.resolve(EntriesFile.NAME))) {
      return dir;
    }
    if (Files.isRegularFile(dir.resolve("ledger").resolve(EntriesFile.NAME))) {
      return dir.resolve("ledger");
    }
    throw new NoSuchFileException(
        dir.toString(), null, "no " + EntriesFile.NAME + " here or in ledger/");
  }

  public Path directory() {
    return dir;
  }

  /** The key in {@code ledger.vkey}. */
  public NoteVerifier verifierKey() throws IOException {
    try {
      return LedgerKeys.readVerifier(dir.resolve(LedgerKeys.VKEY_FILE));
    } catch (InvalidNoteException e) {
      throw new IOException(LedgerKeys.VKEY_FILE + " is malformed: " + e.getMessage(), e);
    }
  }

  /** The newest checkpoint, verified with {@code key}; null if there is none. */
  public Checkpoint latestCheckpoint(NoteVerifier key) throws IOException {
    try (IoChannel ch =
        LedgerIo.standard().open(dir.resolve(CheckpointsFile.NAME), LedgerIo.Mode.READ)) {
      List<CheckpointsFile.Frame> frames = CheckpointsFile.scan(ch).frames();
      if (frames.isEmpty()) {
        return null;
      }
      CheckpointsFile.Frame f = frames.get(frames.size() - 1);
      try {
        return Checkpoint.open(f.note(), key);
      } catch (InvalidNoteException e) {
        throw new LedgerCorruptionException(
            CheckpointsFile.NAME,
            -1,
            f.offset(),
            "checkpoint " + f.number() + ": " + e.getMessage());
      }
    }
  }

  /**
   * Passes every entry to {@code consumer} in order; returns how many.
   *
   * @throws LedgerCorruptionException at the first invalid record
   */
  public long forEach(Consumer<IndexedEntry> consumer) throws IOException {
    return visit(
        Long.MAX_VALUE,
        (index, offset, payload, off, len) -> {
          try {
            consumer.accept(new IndexedEntry(index, offset, EntryCodec.decode(payload, off, len)));
          } catch (EntryFormatException e) {
            throw new LedgerCorruptionException(EntriesFile.NAME, index, offset, e.getMessage());
          }
        });
  }

  /** The last {@code n} entries, oldest first. */
  public List<IndexedEntry> tail(int n) throws IOException {
    ArrayDeque<IndexedEntry> last = new ArrayDeque<>();
    forEach(
        e -> {
          if (n > 0) {
            if (last.size() == n) {
              last.removeFirst();
            }
            last.addLast(e);
          }
        });
    return new ArrayList<>(last);
  }

  /**
   * Where a reader following a live ledger stopped: the index of the next entry and the offset of
   * its record in {@code entries.log}.
   */
  public record Mark(long index, long offset) {
    /** Before the first entry. */
    public static final Mark START = new Mark(0, EntriesFile.HEADER_SIZE);
  }

  /**
   * What {@link #readFrom} read up to: the mark after the last valid entry, and why it stopped
   * there (null at the end of the file).
   */
  public record Progress(Mark next, String problem) {}

  /**
   * Passes the entries from {@code from} on to {@code consumer}, in order, up to the end of the
   * file or the first record that is not whole and valid, and says where it stopped. Never throws
   * for the content: a follower of a live ledger calls it again from the returned mark and reads
   * only what was added since. A problem may be a record still being written (read it again later)
   * or a tail the writer cut off and rewrote after an I/O error (then the mark no longer falls on a
   * record: start again from {@link Mark#START}).
   */
  public Progress readFrom(Mark from, Consumer<IndexedEntry> consumer) throws IOException {
    RecordScanner s = new RecordScanner(entries, from.offset(), from.index(), header.maxPayload());
    Mark next = from;
    while (s.next()) {
      LedgerEntry entry;
      try {
        entry = EntryCodec.decode(s.payloadArray(), s.payloadOffset(), s.payloadLength());
      } catch (EntryFormatException e) {
        return new Progress(next, "entry " + s.index() + ": " + e.getMessage());
      }
      consumer.accept(new IndexedEntry(s.index(), s.offset(), entry));
      next = new Mark(s.index() + 1, s.offset() + EntriesFile.recordSize(s.payloadLength()));
    }
    return new Progress(next, s.problem());
  }

  /** Visits raw records with index below {@code limit}; throws at an invalid record. */
  long visit(long limit, RecordVisitor visitor) throws IOException {
    RecordScanner s = new RecordScanner(entries, EntriesFile.HEADER_SIZE, 0, header.maxPayload());
    long n = 0;
    while (n < limit && s.next()) {
      visitor.visit(s.index(), s.offset(), s.payloadArray(), s.payloadOffset(), s.payloadLength());
      n++;
    }
    if (n < limit && s.problem() != null) {
      throw new LedgerCorruptionException(EntriesFile.NAME, s.index(), s.offset(), s.problem());
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    entries.close();
  }
}
