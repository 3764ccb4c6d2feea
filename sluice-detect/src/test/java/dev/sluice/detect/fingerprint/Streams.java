package dev.sluice.detect.fingerprint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Ways weights travel inside other bytes, built in memory for the matcher tests. */
final class Streams {

  private Streams() {}

  static byte[] random(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A POSIX ustar archive of the named entries (each padded to 512, two zero blocks at the end).
   */
  static byte[] tar(String[] names, byte[][] contents) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < names.length; i++) {
      byte[] h = new byte[512];
      put(h, 0, names[i]);
      put(h, 100, "0000644");
      put(h, 108, "0001750");
      put(h, 116, "0001750");
      put(h, 124, String.format("%011o", contents[i].length));
      put(h, 136, String.format("%011o", 1_700_000_000L));
      Arrays.fill(h, 148, 156, (byte) ' ');
      h[156] = '0';
      put(h, 257, "ustar");
      put(h, 263, "00");
      int sum = 0;
      for (byte b : h) {
        sum += b & 0xFF;
      }
      put(h, 148, String.format("%06o", sum));
      h[154] = 0;
      out.writeBytes(h);
      out.writeBytes(contents[i]);
      out.writeBytes(new byte[(512 - contents[i].length % 512) % 512]);
    }
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  private static void put(byte[] h, int at, String s) {
    byte[] b = ascii(s);
    System.arraycopy(b, 0, h, at, b.length);
  }

  /** A zip archive whose entries are stored (not compressed). */
  static byte[] storedZip(String[] names, byte[][] contents) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
        for (int i = 0; i < names.length; i++) {
          ZipEntry e = new ZipEntry(names[i]);
          e.setMethod(ZipEntry.STORED);
          e.setSize(contents[i].length);
          CRC32 crc = new CRC32();
          crc.update(contents[i]);
          e.setCrc(crc.getValue());
          zip.putNextEntry(e);
          zip.write(contents[i]);
          zip.closeEntry();
        }
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Index of {@code needle} in {@code hay}, or -1 (for finding a slice inside an archive). */
  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < 64; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }
}
