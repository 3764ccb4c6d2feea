package dev.sluice.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Reads {@code entries.log} records in order from a starting offset and index, checking the framing
 * of each (see {@link EntriesFile}). It stops at the end of the file or at the first invalid
 * record, and then says where and why. Reads ahead through a buffer so one system call serves many
 * records.
 *
 * <p>The end is the file size when the scanner was created: a live ledger may grow meanwhile, and
 * those records are not read. Not thread-safe.
 */
final class RecordScanner {

  private static final int BULK_READ = 1 << 20;

  /** Read-ahead for looking at one record: one page. */
  static final int ONE_RECORD = 4096;

  private final IoChannel ch;
  private final long end;
  private final int maxPayload;
  private final CRC32C crc = new CRC32C();
  private ByteBuffer buf;
  private long bufStart;

  private long offset;
  private long index;
  private int payloadLength;
  private int payloadPos;
  private String problem;

  /** A scanner for a long pass: reads ahead up to 1 MiB at a time. */
  RecordScanner(IoChannel ch, long offset, long index, int maxPayload) throws IOException {
    this(ch, offset, index, maxPayload, BULK_READ);
  }

  /** A scanner that reads ahead at most {@code readAhead} bytes (more only for a larger record). */
  RecordScanner(IoChannel ch, long offset, long index, int maxPayload, int readAhead)
      throws IOException {
    this.ch = ch;
    this.end = ch.size();
    this.maxPayload = maxPayload;
    this.buf = ByteBuffer.allocate((int) Math.max(64, Math.min(readAhead, end - offset)));
    this.buf.limit(0);
    this.bufStart = offset;
    this.offset = offset;
    this.index = index;
    this.payloadLength = -1; // no current record: the first next() reads at offset
  }

  /**
   * Moves to the next record. Returns true if it is valid; false at the end of the file or at an
   * invalid record, in which case {@link #problem()} says why and {@link #offset()} where.
   */
  boolean next() throws IOException {
    if (problem != null) {
      return false;
    }
    if (payloadLength >= 0) {
      offset += EntriesFile.recordSize(payloadLength);
      index++;
    }
    payloadLength = -1;
    long remaining = end - offset;
    if (remaining == 0) {
      return false;
    }
    if (remaining < EntriesFile.RECORD_PREFIX) {
      return fail("incomplete record: " + remaining + " bytes, shorter than a record header");
    }
    fill(EntriesFile.RECORD_PREFIX);
    int at = (int) (offset - bufStart);
    int magic = buf.getInt(at);
    if (magic != EntriesFile.RECORD_MAGIC) {
      return fail("bad record magic " + EntriesFile.hex(magic));
    }
    long length = buf.getInt(at + 4) & 0xFFFFFFFFL;
    if (length < EntryCodec.MIN_PAYLOAD || length > maxPayload) {
      return fail(
          "payload length " + length + " is outside " + EntryCodec.MIN_PAYLOAD + ".." + maxPayload);
    }
    int size = EntriesFile.recordSize((int) length);
    if (remaining < size) {
      return fail("incomplete record: needs " + size + " bytes, " + remaining + " remain");
    }
    fill(size);
    at = (int) (offset - bufStart);
    crc.reset();
    crc.update(buf.array(), at, size - 4);
    int stored = buf.getInt(at + size - 4);
    if (stored != (int) crc.getValue()) {
      return fail(
          "CRC mismatch (stored "
              + EntriesFile.hex(stored)
              + ", computed "
              + EntriesFile.hex((int) crc.getValue())
              + ")");
    }
    long storedIndex = buf.getLong(at + 8);
    if (storedIndex != index) {
      return fail("index " + storedIndex + " out of sequence, expected " + index);
    }
    payloadLength = (int) length;
    payloadPos = at + EntriesFile.RECORD_PREFIX;
    return true;
  }

  /** Offset of the current record, or of the invalid one, or the end of the file. */
  long offset() {
    return offset;
  }

  /** Index of the current record, or the index the invalid record should have had. */
  long index() {
    return index;
  }

  /** Offset just past the current valid record. */
  long recordEnd() {
    return offset + EntriesFile.recordSize(payloadLength);
  }

  /** Why scanning stopped early, or null when it reached the end or is still going. */
  String problem() {
    return problem;
  }

  /** The file size the scan runs to. */
  long end() {
    return end;
  }

  /** Backing array of the current payload; valid until the next call to {@link #next()}. */
  byte[] payloadArray() {
    return buf.array();
  }

  int payloadOffset() {
    return payloadPos;
  }

  int payloadLength() {
    return payloadLength;
  }

  private boolean fail(String why) {
    problem = why;
    return false;
  }

  // Makes bytes [offset, offset + n) available in buf (which is heap-backed).
  private void fill(int n) throws IOException {
    long have = bufStart + buf.limit() - offset;
    if (offset >= bufStart && have >= n) {
      return;
    }
    if (buf.capacity() < n) {
      buf = ByteBuffer.allocate(n);
    }
    buf.clear();
    int want = (int) Math.min(buf.capacity(), end - offset);
    buf.limit(want);
    int got = ch.readFully(buf, offset);
    if (got < n) {
      throw new IOException(EntriesFile.NAME + " shrank while being read at byte " + offset);
    }
    buf.limit(got);
    bufStart = offset;
  }
}
