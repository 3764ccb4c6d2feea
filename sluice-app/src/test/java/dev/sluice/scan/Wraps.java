package dev.sluice.scan;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** The ways weights travel inside other bytes, for the held-out measurement. */
final class Wraps {
  private Wraps() {}

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] base64Json(byte[] b) {
    return ascii(
        "{\"file\":\"w.bin\",\"data\":\"" + Base64.getEncoder().encodeToString(b) + "\"}\n");
  }

  static byte[] base64Mime(byte[] b) {
    return Base64.getMimeEncoder().encode(b);
  }

  static byte[] hex(byte[] b) {
    return ascii(HexFormat.of().formatHex(b));
  }

  static byte[] gzip(byte[] b) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(o)) {
      g.write(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return o.toByteArray();
  }

  static byte[] zstd(byte[] b) {
    return Zstd.compress(b, 3);
  }

  /**
   * A POSIX ustar archive of the entries (names and contents in pairs), two zero blocks at the end.
   */
  static byte[] tar(String[] names, byte[][] contents) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (int i = 0; i < names.length; i++) {
      byte[] h = new byte[512];
      put(h, 0, names[i]);
      put(h, 100, "0000644");
      put(h, 108, "0001750");
      put(h, 116, "0001750");
      put(h, 124, String.format("%011o", contents[i].length));
      put(h, 136, String.format("%011o", 1_764_000_000L));
      java.util.Arrays.fill(h, 148, 156, (byte) ' ');
      h[156] = '0';
      put(h, 257, "ustar");
      put(h, 263, "00");
      int sum = 0;
      for (byte x : h) {
        sum += x & 0xff;
      }
      put(h, 148, String.format("%06o", sum));
      h[154] = 0;
      o.writeBytes(h);
      o.writeBytes(contents[i]);
      o.writeBytes(new byte[(512 - contents[i].length % 512) % 512]);
    }
    o.writeBytes(new byte[1024]);
    return o.toByteArray();
  }

  private static void put(byte[] h, int at, String s) {
    byte[] b = ascii(s);
    System.arraycopy(b, 0, h, at, b.length);
  }

  /** A zip archive whose entries are stored (not deflated). */
  static byte[] storedZip(String[] names, byte[][] contents) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(o)) {
      for (int i = 0; i < names.length; i++) {
        ZipEntry e = new ZipEntry(names[i]);
        e.setMethod(ZipEntry.STORED);
        e.setSize(contents[i].length);
        e.setCompressedSize(contents[i].length);
        CRC32 crc = new CRC32();
        crc.update(contents[i]);
        e.setCrc(crc.getValue());
        z.putNextEntry(e);
        z.write(contents[i]);
        z.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return o.toByteArray();
  }
}
