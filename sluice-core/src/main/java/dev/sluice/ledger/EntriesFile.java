package dev.sluice.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Owner of the {@code entries.log} format, version 1: an append-only sequence of framed entries
 * after a fixed header. All integers are big-endian; CRCs are CRC32C (Castagnoli).
 *
 * <h2>Header (16 bytes)</h2>
 *
 * <pre>
 * offset size field
 *  0     4    file magic 0x534C4C47 ("SLLG")
 *  4     2    format version, 1
 *  6     2    header size, 16
 *  8     4    B: max unsynced batch bytes (the writer never has more than B bytes written but
 *             not yet fsynced); fixed when the file is created
 * 12     4    CRC32C of bytes 0..11
 * </pre>
 *
 * <h2>Record (20 + n bytes), repeated until the end of the file</h2>
 *
 * <pre>
 * offset size field
 *  0     4    record magic 0x534C5231 ("SLR1")
 *  4     4    payload length n, 12 &lt;= n &lt;= B - 20
 *  8     8    entry index: 0 for the first record, then +1 per record, no gaps
 * 16     n    payload: the {@link EntryCodec} encoding (also the Merkle leaf data)
 * 16+n   4    CRC32C of bytes 0 .. 16+n-1 of this record
 * </pre>
 *
 * <p>Record 0 is always a {@link EntryType#GENESIS} entry (origin, verifier key, format version).
 *
 * <h2>Durability and crash guarantees</h2>
 *
 * <ul>
 *   <li><b>Creation is atomic.</b> A new file is written as {@code entries.log.tmp} (header and
 *       GENESIS), fsynced, renamed to {@code entries.log} and the directory fsynced. After a crash
 *       {@code entries.log} either does not exist or starts with a valid header and GENESIS.
 *   <li><b>Appends are group commits.</b> One writer appends a batch of whole records (at most B
 *       bytes) at the end of the file, then fsyncs ({@code fdatasync}, which also makes the new
 *       size durable). Only after the fsync returns are the appends acknowledged, added to the
 *       Merkle tree and eligible for a checkpoint. So at most one batch, at most B bytes, is ever
 *       written but not durable.
 *   <li><b>What survives a crash:</b> every acknowledged record, intact. The unacknowledged batch
 *       may be absent, partly present, or present as zeros or garbage: a <i>torn tail</i> of at
 *       most B bytes.
 *   <li><b>What is aborted:</b> appends whose batch was not fsynced. Their futures never completed
 *       successfully, so no caller acted on them.
 *   <li><b>Repair at open:</b> the first invalid record at offset o (short read, bad magic, bad
 *       length, CRC mismatch, index out of sequence) is a torn tail if the file holds at most B
 *       bytes from o to its end and no stored checkpoint covers that record's index. Then the file
 *       is truncated to o, fsynced, and a {@link EntryType#GAP} entry is appended recording {@code
 *       offset}, {@code bytes_dropped}, {@code first_lost_index} and {@code reason}. Anything else
 *       is corruption, not a torn write: the ledger refuses to open and names the entry index, byte
 *       offset and reason.
 *   <li>An I/O error on write or fsync (a full disk) makes the ledger unavailable until the writer
 *       repairs the file in place, without a restart: it truncates the file back to the end of the
 *       last acknowledged record, fsyncs, and appends a {@link EntryType#GAP} entry that also
 *       records {@code unavailable_since} and {@code refused} (see {@link LedgerWriter}). An fsync
 *       is never retried over the same bytes (after a failed fsync the page cache state is
 *       unknown): they are cut. Everything cut belonged to appends whose futures failed.
 * </ul>
 *
 * <p>Thread-safe: stateless.
 */
final class EntriesFile {

  static final String NAME = "entries.log";
  static final int MAGIC = 0x534C4C47;
  static final int VERSION = 1;
  static final int HEADER_SIZE = 16;
  static final int RECORD_MAGIC = 0x534C5231;

  /** Record bytes before the payload: magic, length, index. */
  static final int RECORD_PREFIX = 16;

  /** Record bytes besides the payload: prefix and CRC. */
  static final int RECORD_OVERHEAD = RECORD_PREFIX + 4;

  private EntriesFile() {}

  /** The fields of a valid header. */
  record Header(int version, int maxBatchBytes) {
    /** The largest payload a record may carry. */
    int maxPayload() {
      return maxBatchBytes - RECORD_OVERHEAD;
    }
  }

  static ByteBuffer encodeHeader(int maxBatchBytes) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
    b.putInt(MAGIC).putShort((short) VERSION).putShort((short) HEADER_SIZE).putInt(maxBatchBytes);
    b.putInt(crc(b.array(), 0, 12));
    return b.flip();
  }

  /** Reads and checks the header; throws {@link LedgerCorruptionException} naming the problem. */
  static Header readHeader(IoChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
    int n = ch.readFully(b, 0);
    if (n < HEADER_SIZE) {
      throw corrupt(0, "file is " + n + " bytes, shorter than the " + HEADER_SIZE + "-byte header");
    }
    b.flip();
    if (b.getInt(0) != MAGIC) {
      throw corrupt(0, "bad file magic 0x" + Integer.toHexString(b.getInt(0)) + ", not a ledger");
    }
    int stored = b.getInt(12);
    int computed = crc(b.array(), 0, 12);
    if (stored != computed) {
      throw corrupt(
          12, "header CRC mismatch (stored " + hex(stored) + ", computed " + hex(computed) + ")");
    }
    int version = b.getShort(4) & 0xFFFF;
    if (version != VERSION || (b.getShort(6) & 0xFFFF) != HEADER_SIZE) {
      throw corrupt(4, "unsupported format version " + version);
    }
    int maxBatch = b.getInt(8);
    if (maxBatch < LedgerOptions.MIN_BATCH_BYTES || maxBatch > LedgerOptions.MAX_BATCH_BYTES) {
      throw corrupt(8, "max batch bytes " + maxBatch + " is out of range");
    }
    return new Header(version, maxBatch);
  }

  /**
   * Frames records into a buffer without allocating: the prefix is built in a reused array so the
   * CRC is computed over arrays, not over buffer views. Not thread-safe; one per writer.
   */
  static final class RecordEncoder {
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer prefix = ByteBuffer.allocate(RECORD_PREFIX);

    /** Appends one complete record to {@code dst}, which must have room for it. */
    void put(ByteBuffer dst, long index, byte[] payload) {
      prefix.clear();
      prefix.putInt(RECORD_MAGIC).putInt(payload.length).putLong(index);
      crc.reset();
      crc.update(prefix.array(), 0, RECORD_PREFIX);
      crc.update(payload, 0, payload.length);
      dst.put(prefix.array(), 0, RECORD_PREFIX).put(payload).putInt((int) crc.getValue());
    }
  }

  static int recordSize(int payloadLength) {
    return RECORD_OVERHEAD + payloadLength;
  }

  static int crc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }

  static String hex(int v) {
    return String.format("0x%08x", v);
  }

  private static LedgerCorruptionException corrupt(long offset, String problem) {
    return new LedgerCorruptionException(NAME, -1, offset, "header: " + problem);
  }
}
