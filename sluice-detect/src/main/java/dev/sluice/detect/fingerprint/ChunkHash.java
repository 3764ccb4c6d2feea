package dev.sluice.detect.fingerprint;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The 64-bit fingerprint of one chunk, computed incrementally over the pieces the chunk arrives in:
 * eight bytes at a time (little-endian words, the bytes of a word that straddles two pieces
 * gathered one by one), each word multiplied, rotated and folded in as in xxHash64's single lane,
 * then the length and a final avalanche. Not cryptographic: it tells chunks apart (a random pair
 * collides with probability 2^-64), it does not resist an adversary choosing colliding content.
 */
final class ChunkHash {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;

  private long acc;
  private long partial;
  private int partialBytes;
  private long length;

  ChunkHash() {
    reset();
  }

  void reset() {
    acc = P3;
    partial = 0;
    partialBytes = 0;
    length = 0;
  }

  void update(byte[] b, int off, int len) {
    length += len;
    rest(b, head(b, off, off + len), off + len);
  }

  /**
   * Updates {@code x} with {@code b[xOff, xOff+xLen)} and {@code y} with {@code b[yOff,
   * yOff+yLen)}, as two calls of {@link #update} would, the two chains interleaved: each round
   * waits on the one before in its own hash only, so two hashes cost little more than one.
   */
  static void update(ChunkHash x, int xOff, int xLen, ChunkHash y, int yOff, int yLen, byte[] b) {
    x.length += xLen;
    y.length += yLen;
    int xEnd = xOff + xLen;
    int yEnd = yOff + yLen;
    int i = x.head(b, xOff, xEnd);
    int j = y.head(b, yOff, yEnd);
    int n = Math.min((xEnd - i) >>> 3, (yEnd - j) >>> 3);
    long ax = x.acc;
    long ay = y.acc;
    for (int k = 0; k < n; k++) {
      ax = Long.rotateLeft(ax + (long) LONGS.get(b, i + 8 * k) * P2, 31) * P1;
      ay = Long.rotateLeft(ay + (long) LONGS.get(b, j + 8 * k) * P2, 31) * P1;
    }
    x.acc = ax;
    y.acc = ay;
    x.rest(b, i + 8 * n, xEnd);
    y.rest(b, j + 8 * n, yEnd);
  }

  /**
   * Completes a word started in an earlier piece from {@code b[i, end)}; returns where it stopped.
   */
  private int head(byte[] b, int i, int end) {
    while (partialBytes != 0 && i < end) {
      partial |= (b[i++] & 0xFFL) << (8 * partialBytes);
      if (++partialBytes == 8) {
        round(partial);
        partial = 0;
        partialBytes = 0;
      }
    }
    return i;
  }

  /** The whole words of {@code b[i, end)}, then the bytes left into {@link #partial}. */
  private void rest(byte[] b, int i, int end) {
    long a = acc;
    for (; i + 8 <= end; i += 8) {
      a = Long.rotateLeft(a + (long) LONGS.get(b, i) * P2, 31) * P1;
    }
    acc = a;
    while (i < end) {
      partial |= (b[i++] & 0xFFL) << (8 * partialBytes++);
    }
  }

  private void round(long word) {
    acc = Long.rotateLeft(acc + word * P2, 31) * P1;
  }

  long finish() {
    long h = acc ^ (partial * P1) ^ (length * P3);
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  /** The fingerprint of {@code len} bytes in one piece. */
  static long of(byte[] b, int off, int len) {
    ChunkHash h = new ChunkHash();
    h.update(b, off, len);
    return h.finish();
  }
}
