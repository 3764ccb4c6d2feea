package dev.sluice.ledger;

import java.io.IOException;

/**
 * Decides whether a caller's {@link LedgerPosition} belongs to the file, reading only the one
 * record before it: that record must be intact, have index {@code entryCount - 1}, end exactly at
 * the position's offset and have the position's leaf hash; the frontier must agree with that leaf
 * and with the latest checkpoint when it has the same size. Thread-safe: stateless.
 */
final class ResumeCheck {

  private ResumeCheck() {}

  /** Why {@code p} does not match, or null if it does. */
  static String problem(LedgerPosition p, IoChannel ch, int maxPayload, Checkpoint latest)
      throws IOException {
    long size = ch.size();
    if (p.byteOffset() > size) {
      return "resume offset "
          + p.byteOffset()
          + " is beyond the end of "
          + EntriesFile.NAME
          + " ("
          + size
          + " bytes)";
    }
    long last = p.entryCount() - 1;
    RecordScanner s =
        new RecordScanner(ch, p.lastRecordOffset(), last, maxPayload, RecordScanner.ONE_RECORD);
    if (!s.next()) {
      return "no valid record of entry "
          + last
          + " at byte "
          + p.lastRecordOffset()
          + (s.problem() != null ? ": " + s.problem() : "");
    }
    if (s.recordEnd() != p.byteOffset()) {
      return "entry "
          + last
          + " ends at byte "
          + s.recordEnd()
          + ", not at the resume offset "
          + p.byteOffset();
    }
    byte[] leaf = new byte[Hash.SIZE];
    new MerkleHasher().leaf(s.payloadArray(), s.payloadOffset(), s.payloadLength(), leaf, 0);
    if (!Hash.of(leaf).equals(p.lastLeafHash())) {
      return "entry " + last + " has a different leaf hash than the resume position";
    }
    CompactRange frontier = p.frontier();
    if ((p.entryCount() & 1) == 1 && !frontier.node(last, last + 1).equals(p.lastLeafHash())) {
      return "the resume frontier does not end with entry " + last;
    }
    if (latest != null
        && latest.size() == p.entryCount()
        && !frontier.root().equals(latest.root())) {
      return "the resume frontier's root differs from the latest checkpoint";
    }
    return null;
  }
}
