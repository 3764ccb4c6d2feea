package dev.sluice.detect.fingerprint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The fingerprint index file, version 2 (anchored segments, {@link AnchorParams}, {@code
 * docs/formats/fingerprint-index-v2.md}) or version 1 (content-defined chunks, {@link ChunkParams},
 * {@code docs/formats/fingerprint-index-v1.md}); both are read, an index is written in the version
 * of its scheme. The two differ only in the scheme's parameters after the version byte. Integers
 * are big-endian; CRCs are CRC32C.
 *
 * <pre>
 * header:
 *   0  4  magic 0x534C4650 ("SLFP")
 *   4  1  version: 2                       | 1
 *   5     version 2: anchor bits (1), segment (4), anchor seed (8)               (13 bytes)
 *         version 1: chunk min (4), chunk avg (4), chunk max (4), normalization (1),
 *                    gear seed (8)                                               (21 bytes)
 *   .  1  fingerprint: 1 (ChunkHash v1)
 *   .  4  number of files F
 *   .     F file records: name length (2), name (UTF-8), size (8), SHA-256 (32),
 *         tensors (8), tensor bytes (8)
 *   .  8  number of entries N
 *   .  4  CRC32C of every header byte before it
 * entries: N entries of 16 bytes (fingerprint 8, location 8: file number in the top 16 bits,
 *   offset in the file in the low 48), ascending by fingerprint as unsigned, no two equal, in
 *   blocks of 4096 entries (the last may be shorter), each block followed by the CRC32C of its bytes
 * nothing after the last block
 * </pre>
 *
 * <p>Reading checks, in order, and refuses at the first failure naming the byte offset: the magic,
 * the version, the header CRC, the chunk parameters and fingerprint algorithm (against the ones
 * expected, if given), each block's CRC, the order of the fingerprints, the file numbers, and the
 * end of the file. Writing goes to a temporary file renamed into place, so a crash leaves either
 * the old index or the new one.
 */
public final class FingerprintIndexFile {

  static final int MAGIC = 0x534C4650;
  static final int VERSION_CHUNKS = 1;
  static final int VERSION_ANCHORS = 2;
  static final int FINGERPRINT_CHUNKHASH_V1 = 1;
  static final int BLOCK_ENTRIES = 4096;

  private FingerprintIndexFile() {}

  /** Writes {@code index} to {@code path} (atomically replacing it). */
  public static void write(FingerprintIndex index, Path path) throws IOException {
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer header = header(index);
      writeFully(ch, header);
      ByteBuffer block = ByteBuffer.allocate(BLOCK_ENTRIES * 16 + 4);
      CRC32C crc = new CRC32C();
      for (int start = 0; start < index.size(); start += BLOCK_ENTRIES) {
        int end = Math.min(index.size(), start + BLOCK_ENTRIES);
        block.clear();
        for (int e = start; e < end; e++) {
          block.putLong(index.key(e)).putLong(index.rawLocation(e));
        }
        crc.reset();
        crc.update(block.array(), 0, block.position());
        block.putInt((int) crc.getValue());
        block.flip();
        writeFully(ch, block);
      }
      ch.force(true);
    }
    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static ByteBuffer header(FingerprintIndex index) {
    List<byte[]> names = new ArrayList<>();
    int size = 5 + (index.scheme() instanceof AnchorParams ? 13 : 21) + 1 + 4 + 8 + 4;
    for (SourceFile f : index.files()) {
      byte[] name = f.name().getBytes(StandardCharsets.UTF_8);
      if (name.length > 0xFFFF) {
        throw new IllegalArgumentException("file name longer than 65535 bytes: " + f.name());
      }
      names.add(name);
      size += 2 + name.length + 8 + 32 + 8 + 8;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putInt(MAGIC);
    if (index.scheme() instanceof AnchorParams a) {
      b.put((byte) VERSION_ANCHORS);
      b.put((byte) a.anchorBits()).putInt(a.segment()).putLong(a.seed());
    } else {
      ChunkParams p = (ChunkParams) index.scheme();
      b.put((byte) VERSION_CHUNKS);
      b.putInt(p.min()).putInt(p.avg()).putInt(p.max()).put((byte) p.normalization());
      b.putLong(p.gearSeed());
    }
    b.put((byte) FINGERPRINT_CHUNKHASH_V1);
    b.putInt(index.files().size());
    for (int i = 0; i < names.size(); i++) {
      SourceFile f = index.files().get(i);
      b.putShort((short) names.get(i).length).put(names.get(i));
      b.putLong(f.size()).put(f.sha256()).putLong(f.tensors()).putLong(f.tensorBytes());
    }
    b.putLong(index.size());
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    b.flip();
    return b;
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Reads an index, whatever scheme and parameters it was built with. */
  public static FingerprintIndex read(Path path) throws IOException, IndexFormatException {
    return read(path, null);
  }

  /**
   * Reads an index, refusing one built with a scheme or parameters other than {@code expected}
   * (when not null).
   */
  public static FingerprintIndex read(Path path, IndexScheme expected)
      throws IOException, IndexFormatException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      return new Reader(ch, ch.size()).read(expected);
    }
  }

  /** Sequential reads with the offset of every field known, for the error messages. */
  private static final class Reader {
    private final FileChannel ch;
    private final long fileSize;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    private long bufStart;
    private final CRC32C crc = new CRC32C();

    Reader(FileChannel ch, long fileSize) {
      this.ch = ch;
      this.fileSize = fileSize;
      buf.limit(0);
    }

    long offset() {
      return bufStart + buf.position();
    }

    /** Makes {@code n} bytes available in buf (n at most its capacity). */
    private void need(int n, String what) throws IOException, IndexFormatException {
      if (buf.remaining() >= n) {
        return;
      }
      bufStart += buf.position();
      buf.compact();
      while (buf.position() < n) {
        int r = ch.read(buf);
        if (r < 0) {
          buf.flip();
          throw new IndexFormatException(fileSize, "truncated in " + what);
        }
      }
      buf.flip();
    }

    private byte get(String what) throws IOException, IndexFormatException {
      need(1, what);
      byte v = buf.get();
      crc.update(v);
      return v;
    }

    private int getInt(String what) throws IOException, IndexFormatException {
      need(4, what);
      crc.update(buf.array(), buf.position(), 4);
      return buf.getInt();
    }

    private long getLong(String what) throws IOException, IndexFormatException {
      need(8, what);
      crc.update(buf.array(), buf.position(), 8);
      return buf.getLong();
    }

    private byte[] getBytes(int n, String what) throws IOException, IndexFormatException {
      need(n, what);
      byte[] out = new byte[n];
      buf.get(out);
      crc.update(out);
      return out;
    }

    FingerprintIndex read(IndexScheme expected) throws IOException, IndexFormatException {
      int magic = getInt("magic");
      if (magic != MAGIC) {
        throw new IndexFormatException(
            0, String.format("not a fingerprint index (magic 0x%08X)", magic));
      }
      int version = get("version") & 0xFF;
      if (version != VERSION_ANCHORS && version != VERSION_CHUNKS) {
        throw new IndexFormatException(
            4,
            "version "
                + version
                + ", this sluice reads versions "
                + VERSION_CHUNKS
                + " and "
                + VERSION_ANCHORS);
      }
      int[] scheme = new int[5];
      long seed;
      if (version == VERSION_ANCHORS) {
        scheme[0] = get("anchor bits") & 0xFF;
        scheme[1] = getInt("segment");
        seed = getLong("anchor seed");
      } else {
        scheme[0] = getInt("chunk min");
        scheme[1] = getInt("chunk avg");
        scheme[2] = getInt("chunk max");
        scheme[3] = get("normalization") & 0xFF;
        seed = getLong("gear seed");
      }
      long fingerprintAt = offset();
      int fingerprint = get("fingerprint algorithm") & 0xFF;
      long filesAt = offset();
      int fileCount = getInt("number of files");
      if (fileCount < 0 || fileCount > FingerprintIndex.MAX_FILES) {
        throw new IndexFormatException(filesAt, "number of files " + fileCount + " out of range");
      }
      List<SourceFile> files = new ArrayList<>();
      for (int i = 0; i < fileCount; i++) {
        long at = offset();
        int nameLength = getUnsignedShort("file name length");
        String name = new String(getBytes(nameLength, "file name"), StandardCharsets.UTF_8);
        long size = getLong("file size");
        byte[] sha = getBytes(32, "file SHA-256");
        long tensors = getLong("tensor count");
        long tensorBytes = getLong("tensor bytes");
        try {
          files.add(new SourceFile(name, size, sha, tensors, tensorBytes));
        } catch (IllegalArgumentException e) {
          throw new IndexFormatException(at, "file record " + i + ": " + e.getMessage());
        }
      }
      long countAt = offset();
      long count = getLong("number of entries");
      long crcAt = offset();
      int expectedCrc = (int) crc.getValue();
      need(4, "header CRC");
      int storedCrc = buf.getInt();
      if (storedCrc != expectedCrc) {
        throw new IndexFormatException(
            crcAt, "header CRC mismatch (header bytes 0.." + (crcAt - 1) + ")");
      }
      IndexScheme params;
      try {
        params =
            version == VERSION_ANCHORS
                ? new AnchorParams(scheme[0], scheme[1], seed)
                : new ChunkParams(scheme[0], scheme[1], scheme[2], scheme[3], seed);
      } catch (IllegalArgumentException e) {
        throw new IndexFormatException(5, e.getMessage());
      }
      if (fingerprint != FINGERPRINT_CHUNKHASH_V1) {
        throw new IndexFormatException(
            fingerprintAt, "unknown fingerprint algorithm " + fingerprint);
      }
      if (expected != null && !expected.equals(params)) {
        throw new IndexFormatException(
            5, "built with " + params + ", this matcher uses " + expected);
      }
      if (count < 0 || count > Integer.MAX_VALUE - 8) {
        throw new IndexFormatException(countAt, "number of entries " + count + " out of range");
      }
      long blocks = (count + BLOCK_ENTRIES - 1) / BLOCK_ENTRIES;
      long expectedSize = offset() + count * 16 + blocks * 4;
      if (fileSize < expectedSize) {
        throw new IndexFormatException(
            fileSize, "truncated: " + count + " entries need " + expectedSize + " bytes");
      }
      if (fileSize > expectedSize) {
        throw new IndexFormatException(
            expectedSize, (fileSize - expectedSize) + " bytes after the last entry");
      }
      long[] keys = new long[(int) count];
      long[] locations = new long[(int) count];
      for (int start = 0; start < count; start += BLOCK_ENTRIES) {
        int n = (int) Math.min(BLOCK_ENTRIES, count - start);
        long blockAt = offset();
        need(n * 16 + 4, "entries");
        crc.reset();
        crc.update(buf.array(), buf.position(), n * 16);
        for (int e = start; e < start + n; e++) {
          keys[e] = buf.getLong();
          locations[e] = buf.getLong();
        }
        if (buf.getInt() != (int) crc.getValue()) {
          throw new IndexFormatException(
              blockAt,
              "CRC mismatch in entries "
                  + start
                  + ".."
                  + (start + n - 1)
                  + " (bytes "
                  + blockAt
                  + ".."
                  + (blockAt + n * 16L + 3)
                  + ")");
        }
        for (int e = start; e < start + n; e++) {
          long at = blockAt + 16L * (e - start);
          if (e > 0 && Long.compareUnsigned(keys[e - 1], keys[e]) >= 0) {
            throw new IndexFormatException(at, "entry " + e + " out of order");
          }
          if ((locations[e] >>> 48) >= fileCount) {
            throw new IndexFormatException(
                at + 8, "entry " + e + " names file " + (locations[e] >>> 48) + " of " + fileCount);
          }
        }
      }
      return new FingerprintIndex(params, files, keys, locations);
    }

    private int getUnsignedShort(String what) throws IOException, IndexFormatException {
      need(2, what);
      crc.update(buf.array(), buf.position(), 2);
      return Short.toUnsignedInt(buf.getShort());
    }
  }
}
