package dev.sluice.codec;

import java.util.Arrays;

/**
 * The last distinct string values of a stream, most recent first, so a value that repeats one from
 * another slot (an item id named again in a later event of another kind) is coded as a rank.
 */
final class RecentStrings {
  static final int CAPACITY = 16;

  private final byte[][] values = new byte[CAPACITY][];
  private final int[] types = new int[CAPACITY];
  private final long[] hashes = new long[CAPACITY];
  private int size;

  /** The rank of {@code b[s, e)} of type {@code t}, or -1. */
  int find(byte[] b, int s, int e, int t) {
    long h = hash(b, s, e);
    for (int i = 0; i < size; i++) {
      if (hashes[i] == h
          && types[i] == t
          && Arrays.equals(values[i], 0, values[i].length, b, s, e)) {
        return i;
      }
    }
    return -1;
  }

  byte[] get(int rank) {
    return values[rank];
  }

  int type(int rank) {
    return types[rank];
  }

  int size() {
    return size;
  }

  /** Longest string remembered (longer ones are found as text references instead). */
  static final int MAX_LENGTH = 256;

  /** Makes {@code b[s, e)} the most recent (if it is not too long to keep). */
  void use(byte[] b, int s, int e, int t) {
    if (e - s > MAX_LENGTH) {
      return;
    }
    int r = find(b, s, e, t);
    byte[] v;
    long h;
    if (r >= 0) {
      v = values[r];
      h = hashes[r];
    } else {
      v = Arrays.copyOfRange(b, s, e);
      h = hash(b, s, e);
      r = Math.min(size, CAPACITY - 1);
      if (size < CAPACITY) {
        size++;
      }
    }
    System.arraycopy(values, 0, values, 1, r);
    System.arraycopy(types, 0, types, 1, r);
    System.arraycopy(hashes, 0, hashes, 1, r);
    values[0] = v;
    types[0] = t;
    hashes[0] = h;
  }

  private static long hash(byte[] b, int s, int e) {
    long h = 0xCBF2_9CE4_8422_2325L;
    for (int i = s; i < e; i++) {
      h = (h ^ (b[i] & 0xFF)) * 0x100_0000_01B3L;
    }
    return h;
  }
}
