package dev.sluice.ledger;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A durable point in the ledger: how many entries precede it, where the next record starts, and the
 * Merkle frontier of those entries. A caller stores it in its own snapshot and passes it back to
 * {@link Ledger#open} to resume without re-reading the history before it.
 *
 * <p>To check that a position belongs to the file it is resumed against without reading history, it
 * also carries the offset and leaf hash of the last entry before it; {@code open} re-reads that one
 * record.
 *
 * <p>Serial form ({@link #writeTo}): u8 version 1, i64 entry count, i64 byte offset, i64 last
 * record offset, 32-byte last leaf hash, then the frontier hashes (their number is the bit count of
 * the entry count). Immutable and thread-safe.
 */
public final class LedgerPosition {

  private static final int SERIAL_VERSION = 1;

  private final long entryCount;
  private final long byteOffset;
  private final long lastRecordOffset;
  private final Hash lastLeafHash;
  private final List<Hash> frontier;

  LedgerPosition(
      long entryCount,
      long byteOffset,
      long lastRecordOffset,
      Hash lastLeafHash,
      List<Hash> frontier) {
    if (entryCount < 1
        || lastRecordOffset < EntriesFile.HEADER_SIZE
        || byteOffset <= lastRecordOffset) {
      throw new IllegalArgumentException(
          "inconsistent ledger position: "
              + entryCount
              + " entries, offset "
              + byteOffset
              + ", last record at "
              + lastRecordOffset);
    }
    if (Long.bitCount(entryCount) != frontier.size()) {
      throw new IllegalArgumentException(
          "a position after "
              + entryCount
              + " entries has "
              + Long.bitCount(entryCount)
              + " frontier hashes, not "
              + frontier.size());
    }
    this.entryCount = entryCount;
    this.byteOffset = byteOffset;
    this.lastRecordOffset = lastRecordOffset;
    this.lastLeafHash = Objects.requireNonNull(lastLeafHash, "lastLeafHash");
    this.frontier = List.copyOf(frontier);
  }

  /** Entries before this position; also the index of the next entry. */
  public long entryCount() {
    return entryCount;
  }

  /** Offset in {@code entries.log} where the next record starts. */
  public long byteOffset() {
    return byteOffset;
  }

  /** Offset of the record of entry {@code entryCount - 1}. */
  public long lastRecordOffset() {
    return lastRecordOffset;
  }

  /** Leaf hash of entry {@code entryCount - 1}. */
  public Hash lastLeafHash() {
    return lastLeafHash;
  }

  /** The Merkle frontier of the entries before this position. */
  public CompactRange frontier() {
    return CompactRange.of(entryCount, frontier);
  }

  /** The tree root of the entries before this position. */
  public Hash root() {
    return frontier().root();
  }

  public void writeTo(DataOutput out) throws IOException {
    out.writeByte(SERIAL_VERSION);
    out.writeLong(entryCount);
    out.writeLong(byteOffset);
    out.writeLong(lastRecordOffset);
    out.write(lastLeafHash.bytes());
    for (Hash h : frontier) {
      out.write(h.bytes());
    }
  }

  /** Reads what {@link #writeTo} wrote; throws {@link IOException} if it is malformed. */
  public static LedgerPosition readFrom(DataInput in) throws IOException {
    int version = in.readUnsignedByte();
    if (version != SERIAL_VERSION) {
      throw new IOException("unknown ledger position version " + version);
    }
    long count = in.readLong();
    long offset = in.readLong();
    long last = in.readLong();
    Hash leaf = readHash(in);
    if (count < 1) {
      throw new IOException("ledger position has entry count " + count);
    }
    List<Hash> nodes = new ArrayList<>();
    for (int i = 0; i < Long.bitCount(count); i++) {
      nodes.add(readHash(in));
    }
    try {
      return new LedgerPosition(count, offset, last, leaf, nodes);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static Hash readHash(DataInput in) throws IOException {
    byte[] b = new byte[Hash.SIZE];
    in.readFully(b);
    return Hash.of(b);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LedgerPosition p
        && p.entryCount == entryCount
        && p.byteOffset == byteOffset
        && p.lastRecordOffset == lastRecordOffset
        && p.lastLeafHash.equals(lastLeafHash)
        && p.frontier.equals(frontier);
  }

  @Override
  public int hashCode() {
    return Objects.hash(entryCount, byteOffset, lastRecordOffset, lastLeafHash, frontier);
  }

  @Override
  public String toString() {
    return "LedgerPosition{entries=" + entryCount + ", offset=" + byteOffset + "}";
  }
}
