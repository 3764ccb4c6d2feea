package dev.sluice.ledger;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * What {@link Ledger#open} does before accepting appends: cut a torn checkpoint frame, validate the
 * caller's resume position, replay the entries after it, and find and cut a torn tail of {@code
 * entries.log} (the rules are in {@link EntriesFile}). It reads history before the resume position
 * only if the position does not match the file. Not thread-safe; runs once, on the opening thread.
 *
 * <p>The cutting itself ({@link #cutEntries}, {@link #cutCheckpoints}) is shared with the writer's
 * repair after an I/O error ({@link LedgerWriter}), which cuts both files back to what it knows is
 * durable without a restart; the GAP entry it then appends comes from the same {@link Gap}.
 */
final class LedgerRecovery {

  /** A torn tail that was cut and must be recorded with a GAP entry. */
  record Gap(long offset, long bytesDropped, long firstLostIndex, String reason) {
    /** The GAP entry for a cut made at open. */
    LedgerEntry entry(long timeMillis) {
      return fields(timeMillis).build();
    }

    /**
     * The GAP entry for a cut made while running, after the ledger was unavailable from {@code
     * sinceMillis} on and refused {@code refused} appends: it also records those two.
     */
    LedgerEntry outageEntry(long timeMillis, long sinceMillis, long refused) {
      return fields(timeMillis)
          .put("unavailable_since", sinceMillis)
          .put("refused", refused)
          .build();
    }

    private LedgerEntry.Builder fields(long timeMillis) {
      return LedgerEntry.builder(EntryType.GAP, timeMillis)
          .put("offset", offset)
          .put("bytes_dropped", bytesDropped)
          .put("first_lost_index", firstLostIndex)
          .put("reason", reason);
    }
  }

  /** The durable tail of the log after recovery, and what was done to get there. */
  record Result(
      CheckpointLog checkpoints,
      CompactRange frontier,
      long end,
      long count,
      long lastRecordOffset,
      Hash lastLeaf,
      boolean resumed,
      String resumeRejected,
      long replayed,
      Gap gap,
      long checkpointBytesCut) {}

  private LedgerRecovery() {}

  static Result recover(
      LedgerFiles files,
      NoteVerifier verifier,
      LedgerPosition resumeFrom,
      Consumer<IndexedEntry> replay)
      throws IOException {
    CheckpointsFile.Scan cps = CheckpointsFile.scan(files.checkpoints());
    long cpCut = cutTornCheckpoint(files.checkpoints(), cps);
    Checkpoint latest = latest(cps.frames(), verifier);
    CheckpointLog checkpointLog = new CheckpointLog(files.checkpoints(), cps.validEnd(), latest);

    IoChannel ch = files.entries();
    int maxPayload = files.header().maxPayload();
    String rejected =
        resumeFrom == null ? null : ResumeCheck.problem(resumeFrom, ch, maxPayload, latest);
    boolean resumed = resumeFrom != null && rejected == null;
    CompactRange frontier = resumed ? resumeFrom.frontier() : new CompactRange();
    long start = resumed ? resumeFrom.byteOffset() : EntriesFile.HEADER_SIZE;
    long lastRecord = resumed ? resumeFrom.lastRecordOffset() : -1;
    byte[] lastLeaf = resumed ? resumeFrom.lastLeafHash().bytes() : new byte[Hash.SIZE];

    RecordScanner s = new RecordScanner(ch, start, frontier.size(), maxPayload);
    MerkleHasher hasher = new MerkleHasher();
    long replayed = 0;
    while (s.next()) {
      LedgerEntry e = decode(s);
      hasher.leaf(s.payloadArray(), s.payloadOffset(), s.payloadLength(), lastLeaf, 0);
      frontier.append(lastLeaf, 0);
      lastRecord = s.offset();
      if (latest != null
          && frontier.size() == latest.size()
          && !frontier.root().equals(latest.root())) {
        throw new LedgerCorruptionException(
            EntriesFile.NAME,
            s.index(),
            s.offset(),
            "tree root after this entry differs from the latest checkpoint's root at size "
                + latest.size());
      }
      replay.accept(new IndexedEntry(s.index(), s.offset(), e));
      replayed++;
    }
    Gap gap = null;
    long end = s.offset();
    if (s.problem() != null) {
      gap = cutTornTail(s, ch, files.header().maxBatchBytes(), latest);
      end = gap.offset();
    }
    if (latest != null && latest.size() > frontier.size()) {
      throw new LedgerCorruptionException(
          EntriesFile.NAME,
          frontier.size(),
          end,
          "the latest checkpoint covers "
              + latest.size()
              + " entries but the file ends after "
              + frontier.size());
    }
    return new Result(
        checkpointLog,
        frontier,
        end,
        frontier.size(),
        lastRecord,
        Hash.of(lastLeaf),
        resumed,
        rejected,
        replayed,
        gap,
        cpCut);
  }

  private static LedgerEntry decode(RecordScanner s) throws LedgerCorruptionException {
    try {
      return EntryCodec.decode(s.payloadArray(), s.payloadOffset(), s.payloadLength());
    } catch (EntryFormatException e) {
      throw new LedgerCorruptionException(
          EntriesFile.NAME,
          s.index(),
          s.offset(),
          "record is intact but its payload does not decode: " + e.getMessage());
    }
  }

  // A torn tail is cut if it fits in one batch and no checkpoint vouches for what it held.
  private static Gap cutTornTail(RecordScanner s, IoChannel ch, int maxBatch, Checkpoint latest)
      throws IOException {
    long o = s.offset();
    long dropped = s.end() - o;
    if (dropped > maxBatch) {
      throw new LedgerCorruptionException(
          EntriesFile.NAME,
          s.index(),
          o,
          s.problem()
              + "; not a torn write: "
              + dropped
              + " bytes follow, more than one batch ("
              + maxBatch
              + ")");
    }
    if (latest != null && latest.size() > s.index()) {
      throw new LedgerCorruptionException(
          EntriesFile.NAME,
          s.index(),
          o,
          s.problem()
              + "; not a torn write: the latest checkpoint covers "
              + latest.size()
              + " entries");
    }
    return cutEntries(ch, o, s.index(), s.problem());
  }

  /**
   * Cuts {@code entries.log} back to {@code offset}, the end of the last record to keep, and makes
   * the new size durable; {@code firstLostIndex} is the index the first cut record had or would
   * have had. Truncating also drops any page whose fsync failed, so nothing of unknown state stays.
   * Returns the cut, with the bytes it removed (0 if the file already ended at {@code offset}).
   */
  static Gap cutEntries(IoChannel ch, long offset, long firstLostIndex, String reason)
      throws IOException {
    long dropped = Math.max(0, ch.size() - offset);
    ch.truncate(offset);
    ch.force();
    return new Gap(offset, dropped, firstLostIndex, reason);
  }

  /**
   * Cuts {@code checkpoints.log} back to {@code validEnd}, the end of the last frame to keep, and
   * makes the new size durable; returns the bytes removed.
   */
  static long cutCheckpoints(IoChannel ch, long validEnd) throws IOException {
    long tail = Math.max(0, ch.size() - validEnd);
    ch.truncate(validEnd);
    ch.force();
    return tail;
  }

  private static long cutTornCheckpoint(IoChannel ch, CheckpointsFile.Scan scan)
      throws IOException {
    if (scan.problem() == null) {
      return 0;
    }
    long tail = scan.fileSize() - scan.validEnd();
    if (!scan.tornTail()) {
      throw new LedgerCorruptionException(
          CheckpointsFile.NAME,
          -1,
          scan.validEnd(),
          "checkpoint "
              + scan.frames().size()
              + ": "
              + scan.problem()
              + "; not a torn write: "
              + (scan.followed() ? "more frames follow it" : tail + " bytes follow"));
    }
    cutCheckpoints(ch, scan.validEnd());
    return tail;
  }

  private static Checkpoint latest(List<CheckpointsFile.Frame> frames, NoteVerifier verifier)
      throws LedgerCorruptionException {
    if (frames.isEmpty()) {
      return null;
    }
    CheckpointsFile.Frame f = frames.get(frames.size() - 1);
    try {
      return Checkpoint.open(f.note(), verifier);
    } catch (InvalidNoteException e) {
      throw new LedgerCorruptionException(
          CheckpointsFile.NAME, -1, f.offset(), "checkpoint " + f.number() + ": " + e.getMessage());
    }
  }
}
