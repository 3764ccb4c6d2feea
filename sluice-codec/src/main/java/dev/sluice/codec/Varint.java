package dev.sluice.codec;

import java.io.ByteArrayOutputStream;

/** Unsigned LEB128 integers, as in protobuf; at most 9 bytes (values below 2^63). */
final class Varint {
  private Varint() {}

  static void write(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  /** Reads at {@code pos[0]}, advancing it; -1 if truncated or longer than 9 bytes. */
  static long read(byte[] b, int[] pos, int end) {
    long v = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      if (pos[0] >= end) {
        return -1;
      }
      int x = b[pos[0]++] & 0xff;
      v |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    return -1;
  }
}
