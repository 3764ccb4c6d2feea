package dev.sluice.codec;

import java.util.Arrays;

/** A growable byte array; the codec's own, so the module needs no buffer library. */
final class ByteBuf implements ArithmeticEncoder.ByteSink {
  byte[] a;
  int n;

  ByteBuf(int capacity) {
    a = new byte[Math.max(16, capacity)];
  }

  @Override
  public void put(int b) {
    if (n == a.length) {
      a = Arrays.copyOf(a, a.length * 2);
    }
    a[n++] = (byte) b;
  }

  void put(byte[] b, int off, int len) {
    if (n + len > a.length) {
      a = Arrays.copyOf(a, Math.max(n + len, a.length * 2));
    }
    System.arraycopy(b, off, a, n, len);
    n += len;
  }

  void varint(long v) {
    while ((v & ~0x7FL) != 0) {
      put((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    put((int) v);
  }

  /**
   * Gives back a large array once its bytes are no longer needed (at most {@code keep} bytes stay
   * allocated when empty), so an idle stream holds little.
   */
  void trim(int keep) {
    if (a.length > keep && n <= keep) {
      a = Arrays.copyOf(a, Math.max(16, n));
    }
  }

  byte[] toArray() {
    return Arrays.copyOf(a, n);
  }
}
