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

  /** Independent chains hashed side by side: each round waits on the one before in its chain. */
  private static final int CHAINS = 4;

  /**
   * Updates {@code h[k]} with {@code b[from[k], to[k])} for each k below {@code count}, as {@code
   * count} calls of {@link #update} would. The whole words of the segments are hashed four chains
   * side by side: a round of the four waits on the one before in each chain only, so four hashes
   * cost little more than one (a round takes the multiplier's latency twice, and four chains fill
   * it). A chain whose segment ends takes the next segment; a chain with none left repeats another
   * chain's loads and its result is dropped.
   */
  static void updateAll(ChunkHash[] h, int[] from, int[] to, int count, byte[] b) {
    int[] start = new int[count];
    for (int k = 0; k < count; k++) {
      h[k].length += to[k] - from[k];
      start[k] = h[k].head(b, from[k], to[k]);
    }
    int[] seg = new int[CHAINS];
    long[] acc = new long[CHAINS];
    int[] at = new int[CHAINS];
    int[] left = new int[CHAINS];
    int next = 0;
    for (int s = 0; s < CHAINS; s++) {
      next = take(h, start, to, count, next, s, seg, acc, at, left);
    }
    while (true) {
      int n = Integer.MAX_VALUE;
      int any = -1;
      for (int s = 0; s < CHAINS; s++) {
        if (seg[s] >= 0) {
          n = Math.min(n, left[s]);
          any = s;
        }
      }
      if (any < 0) {
        break;
      }
      for (int s = 0; s < CHAINS; s++) {
        if (seg[s] < 0) {
          at[s] = at[any]; // an idle chain reads words that exist; its sums are never kept
        }
      }
      long a0 = acc[0];
      long a1 = acc[1];
      long a2 = acc[2];
      long a3 = acc[3];
      int p0 = at[0];
      int p1 = at[1];
      int p2 = at[2];
      int p3 = at[3];
      for (int k = 0; k < n; k++) {
        a0 = Long.rotateLeft(a0 + (long) LONGS.get(b, p0 + 8 * k) * P2, 31) * P1;
        a1 = Long.rotateLeft(a1 + (long) LONGS.get(b, p1 + 8 * k) * P2, 31) * P1;
        a2 = Long.rotateLeft(a2 + (long) LONGS.get(b, p2 + 8 * k) * P2, 31) * P1;
        a3 = Long.rotateLeft(a3 + (long) LONGS.get(b, p3 + 8 * k) * P2, 31) * P1;
      }
      acc[0] = a0;
      acc[1] = a1;
      acc[2] = a2;
      acc[3] = a3;
      for (int s = 0; s < CHAINS; s++) {
        if (seg[s] >= 0) {
          at[s] += 8 * n;
          left[s] -= n;
          if (left[s] == 0) {
            h[seg[s]].acc = acc[s];
            next = take(h, start, to, count, next, s, seg, acc, at, left);
          }
        }
      }
    }
    for (int k = 0; k < count; k++) {
      int words = (to[k] - start[k]) >>> 3;
      h[k].rest(b, start[k] + 8 * words, to[k]);
    }
  }

  /** Gives chain {@code s} the next segment (or none: -1); returns the one after it. */
  private static int take(
      ChunkHash[] h,
      int[] start,
      int[] to,
      int count,
      int next,
      int s,
      int[] seg,
      long[] acc,
      int[] at,
      int[] left) {
    if (next >= count) {
      seg[s] = -1;
      return next;
    }
    seg[s] = next;
    acc[s] = h[next].acc;
    at[s] = start[next];
    left[s] = (to[next] - start[next]) >>> 3;
    if (left[s] == 0) {
      return take(h, start, to, count, next + 1, s, seg, acc, at, left);
    }
    return next + 1;
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
