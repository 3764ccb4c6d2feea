package dev.sluice.detect.format;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The entries of a zip file with the exact offset of each entry's data, read from the end of
 * central directory record (zip64 aware: the zip64 locator, end record and extra fields), the
 * central directory and each entry's local header (whose name and extra lengths may differ from the
 * central ones). {@code java.util.zip} is not used because it does not give data offsets.
 *
 * <p>Bounds: the comment search looks at most 64 KiB back; the entry count must fit the central
 * directory (46 bytes per entry at least) and the directory must lie within the file.
 */
final class ZipDirectory {
  static final int STORED = 0;
  private static final int EOCD = 0x06054b50;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int ZIP64_EOCD = 0x06064b50;
  private static final int CENTRAL = 0x02014b50;
  private static final int LOCAL = 0x04034b50;
  private static final long U32_MAX = 0xffffffffL;

  /** One entry: its name, compression method, sizes and where its data starts. */
  record Entry(String name, int method, long compressedSize, long size, long dataOffset) {}

  private ZipDirectory() {}

  static boolean looksLikeZip(FileWindow in) throws IOException {
    return in.size() >= 22 && (int) in.u32le(0) == LOCAL;
  }

  static List<Entry> read(FileWindow in) throws IOException {
    long eocd = findEocd(in);
    long entries = in.u16le(eocd + 10);
    long cdSize = in.u32le(eocd + 12);
    long cdOffset = in.u32le(eocd + 16);
    if (entries == 0xffff || cdSize == U32_MAX || cdOffset == U32_MAX) {
      long locator = eocd - 20;
      if (locator < 0 || (int) in.u32le(locator) != ZIP64_LOCATOR) {
        throw in.error(eocd, "zip64 values in the end record but no zip64 locator before it");
      }
      long z = in.i64le(locator + 8);
      in.require(z, 56);
      if (z < 0 || (int) in.u32le(z) != ZIP64_EOCD) {
        throw in.error(locator + 8, "zip64 end record not found at " + z);
      }
      entries = in.i64le(z + 32);
      cdSize = in.i64le(z + 40);
      cdOffset = in.i64le(z + 48);
    }
    if (cdOffset < 0 || cdSize < 0 || cdOffset > in.size() || cdSize > in.size() - cdOffset) {
      throw in.error(
          eocd, "central directory at " + cdOffset + " of " + cdSize + " bytes outside the file");
    }
    if (entries < 0 || entries > cdSize / 46) {
      throw in.error(
          eocd, entries + " entries cannot fit a central directory of " + cdSize + " bytes");
    }
    List<Entry> out = new ArrayList<>();
    long p = cdOffset;
    long end = cdOffset + cdSize;
    for (long i = 0; i < entries; i++) {
      if (end - p < 46 || (int) in.u32le(p) != CENTRAL) {
        throw in.error(p, "central directory entry " + i + " missing");
      }
      int method = in.u16le(p + 10);
      long csize = in.u32le(p + 20);
      long usize = in.u32le(p + 24);
      int nameLength = in.u16le(p + 28);
      int extraLength = in.u16le(p + 30);
      int commentLength = in.u16le(p + 32);
      long local = in.u32le(p + 42);
      long next = p + 46 + nameLength + extraLength + commentLength;
      if (next > end) {
        throw in.error(p, "central directory entry " + i + " runs past the directory");
      }
      String name = in.utf8(p + 46, nameLength);
      long x = p + 46 + nameLength;
      long xEnd = x + extraLength;
      while (xEnd - x >= 4) {
        int id = in.u16le(x);
        int n = in.u16le(x + 2);
        if (x + 4 + n > xEnd) {
          throw in.error(x, "extra field of entry " + name + " runs past its end");
        }
        if (id == 1) { // zip64: the values that were 0xffffffff, in this order
          long f = x + 4;
          long fEnd = f + n;
          if (usize == U32_MAX && fEnd - f >= 8) {
            usize = in.i64le(f);
            f += 8;
          }
          if (csize == U32_MAX && fEnd - f >= 8) {
            csize = in.i64le(f);
            f += 8;
          }
          if (local == U32_MAX && fEnd - f >= 8) {
            local = in.i64le(f);
          }
        }
        x += 4 + n;
      }
      if (usize == U32_MAX
          || csize == U32_MAX
          || local == U32_MAX
          || usize < 0
          || csize < 0
          || local < 0) {
        throw in.error(p, "entry " + name + ": zip64 sizes or offset missing or negative");
      }
      in.require(local, 30);
      if ((int) in.u32le(local) != LOCAL) {
        throw in.error(local, "entry " + name + ": no local header");
      }
      long data = local + 30 + in.u16le(local + 26) + in.u16le(local + 28);
      if (data > in.size() || csize > in.size() - data) {
        throw in.error(
            local,
            "entry " + name + ": " + csize + " bytes at " + data + " past the end of the file");
      }
      out.add(new Entry(name, method, csize, usize, data));
      p = next;
    }
    return out;
  }

  private static long findEocd(FileWindow in) throws IOException {
    long last = in.size() - 22;
    long first = Math.max(0, last - 65535);
    for (long p = last; p >= first; p--) {
      if (in.byteAt(p) == 0x50
          && (int) in.u32le(p) == EOCD
          && p + 22 + in.u16le(p + 20) <= in.size()) {
        return p;
      }
    }
    throw in.error(
        Math.max(0, last), "no end of central directory record: not a zip, or truncated");
  }
}
