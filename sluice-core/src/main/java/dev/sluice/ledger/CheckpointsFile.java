package dev.sluice.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Owner of the {@code checkpoints.log} format, version 1: the signed checkpoints (C2SP signed
 * notes, see {@link Checkpoint}) in the order they were made, each framed with a CRC. Big-endian
 * integers, CRC32C.
 *
 * <pre>
 * Header (12 bytes)
 * offset size field
 *  0     4    file magic 0x534C4350 ("SLCP")
 *  4     2    format version, 1
 *  6     2    header size, 12
 *  8     4    CRC32C of bytes 0..7
 *
 * Frame (12 + n bytes), repeated; checkpoint number k is the k-th frame, from 0
 * offset size field
 *  0     4    frame magic 0x534C4331 ("SLC1")
 *  4     4    note length n, 1..16384
 *  8     n    the signed note, UTF-8
 *  8+n   4    CRC32C of bytes 0 .. 8+n-1 of this frame
 * </pre>
 *
 * <p>Crash guarantees: the file is created like {@code entries.log} (temporary file, fsync, rename,
 * directory fsync). Each checkpoint is appended and fsynced before it is reported, and only ever
 * covers fsynced entries, so a crash leaves at most one torn frame at the end. At open, an invalid
 * frame within the last 16396 bytes (one maximal frame) is cut off; an invalid frame earlier in the
 * file is corruption and the ledger refuses to open. After an I/O error while running, the writer
 * cuts the file back to the end of the last stored frame in place ({@link LedgerWriter}).
 *
 * <p>Thread-safe: stateless.
 */
final class CheckpointsFile {

  static final String NAME = "checkpoints.log";
  static final int MAGIC = 0x534C4350;
  static final int VERSION = 1;
  static final int HEADER_SIZE = 12;
  static final int FRAME_MAGIC = 0x534C4331;
  static final int MAX_NOTE = 16384;
  static final int FRAME_OVERHEAD = 12;

  private CheckpointsFile() {}

  /** One valid frame: checkpoint {@code number} at byte {@code offset}. */
  record Frame(int number, long offset, String note) {}

  /**
   * The valid frames in order; if scanning stopped at an invalid frame, {@code problem} says why
   * and {@code validEnd} is its offset, else {@code validEnd} is the file size.
   */
  record Scan(List<Frame> frames, long validEnd, long fileSize, String problem, boolean followed) {
    Scan(List<Frame> frames, long validEnd, long fileSize, String problem) {
      this(frames, validEnd, fileSize, problem, false);
    }

    /**
     * Whether a torn write explains the invalid frame: only the last frame can be torn, so a
     * complete frame with more bytes after it cannot be, nor anything further from the end than one
     * maximal frame.
     */
    boolean tornTail() {
      return problem != null && !followed && fileSize - validEnd <= FRAME_OVERHEAD + MAX_NOTE;
    }
  }

  static ByteBuffer encodeHeader() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
    b.putInt(MAGIC).putShort((short) VERSION).putShort((short) HEADER_SIZE);
    b.putInt(EntriesFile.crc(b.array(), 0, 8));
    return b.flip();
  }

  static ByteBuffer frame(String note) {
    byte[] n = note.getBytes(StandardCharsets.UTF_8);
    if (n.length == 0 || n.length > MAX_NOTE) {
      throw new IllegalArgumentException(
          "checkpoint note is " + n.length + " bytes, at most " + MAX_NOTE);
    }
    ByteBuffer b = ByteBuffer.allocate(FRAME_OVERHEAD + n.length);
    b.putInt(FRAME_MAGIC).putInt(n.length).put(n);
    b.putInt(EntriesFile.crc(b.array(), 0, 8 + n.length));
    return b.flip();
  }

  /** Checks the header and reads every frame up to the end or the first invalid one. */
  static Scan scan(IoChannel ch) throws IOException {
    long size = ch.size();
    checkHeader(ch, size);
    List<Frame> frames = new ArrayList<>();
    long pos = HEADER_SIZE;
    ByteBuffer prefix = ByteBuffer.allocate(8);
    while (pos < size) {
      if (size - pos < FRAME_OVERHEAD) {
        return new Scan(frames, pos, size, "incomplete frame: " + (size - pos) + " bytes");
      }
      prefix.clear();
      ch.readFully(prefix, pos);
      if (prefix.getInt(0) != FRAME_MAGIC) {
        return new Scan(frames, pos, size, "bad frame magic " + EntriesFile.hex(prefix.getInt(0)));
      }
      long n = prefix.getInt(4) & 0xFFFFFFFFL;
      if (n == 0 || n > MAX_NOTE) {
        return new Scan(frames, pos, size, "note length " + n + " is outside 1.." + MAX_NOTE);
      }
      if (size - pos < FRAME_OVERHEAD + n) {
        return new Scan(
            frames,
            pos,
            size,
            "incomplete frame: needs "
                + (FRAME_OVERHEAD + n)
                + " bytes, "
                + (size - pos)
                + " remain");
      }
      ByteBuffer f = ByteBuffer.allocate(FRAME_OVERHEAD + (int) n);
      ch.readFully(f, pos);
      int stored = f.getInt(8 + (int) n);
      int computed = EntriesFile.crc(f.array(), 0, 8 + (int) n);
      boolean followed = pos + FRAME_OVERHEAD + n < size;
      if (stored != computed) {
        String why =
            "CRC mismatch (stored "
                + EntriesFile.hex(stored)
                + ", computed "
                + EntriesFile.hex(computed)
                + ")";
        return new Scan(frames, pos, size, why, followed);
      }
      String note = utf8(f.array(), 8, (int) n);
      if (note == null) {
        return new Scan(frames, pos, size, "note is not valid UTF-8", followed);
      }
      frames.add(new Frame(frames.size(), pos, note));
      pos += FRAME_OVERHEAD + n;
    }
    return new Scan(frames, pos, size, null);
  }

  private static void checkHeader(IoChannel ch, long size) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
    if (size < HEADER_SIZE || ch.readFully(b, 0) < HEADER_SIZE) {
      throw corrupt(0, "file is shorter than the " + HEADER_SIZE + "-byte header");
    }
    if (b.getInt(0) != MAGIC) {
      throw corrupt(0, "bad file magic " + EntriesFile.hex(b.getInt(0)));
    }
    int stored = b.getInt(8);
    int computed = EntriesFile.crc(b.array(), 0, 8);
    if (stored != computed) {
      throw corrupt(
          8,
          "header CRC mismatch (stored "
              + EntriesFile.hex(stored)
              + ", computed "
              + EntriesFile.hex(computed)
              + ")");
    }
    if ((b.getShort(4) & 0xFFFF) != VERSION || (b.getShort(6) & 0xFFFF) != HEADER_SIZE) {
      throw corrupt(4, "unsupported format version " + (b.getShort(4) & 0xFFFF));
    }
  }

  private static String utf8(byte[] b, int off, int len) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, off, len))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static LedgerCorruptionException corrupt(long offset, String problem) {
    return new LedgerCorruptionException(NAME, -1, offset, "header: " + problem);
  }
}
