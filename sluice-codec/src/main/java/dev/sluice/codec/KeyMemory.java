package dev.sluice.codec;

import java.util.Arrays;

/**
 * The last value a stream had under each key ({@link Shape#keys}), whatever the shape: when a new
 * shape appears (the finish event after the content events, the usage event), its id, timestamp and
 * model slots are coded against what the stream already said under the same keys, not against the
 * library's values from another stream. Bounded: a small hash table, newer values replace older.
 */
final class KeyMemory {
  private static final int BITS = 7;
  private static final int MAX_VALUE = 128;

  private final int[] keys = new int[1 << BITS];
  private final byte[][] values = new byte[1 << BITS][];
  private final byte[] types = new byte[1 << BITS];

  void put(int key, byte[] b, int s, int e, int type) {
    if (e - s > MAX_VALUE) {
      return;
    }
    int i = slot(key);
    keys[i] = key;
    byte[] v = values[i];
    if (v == null || v.length != e - s) {
      v = new byte[e - s];
      values[i] = v;
    }
    System.arraycopy(b, s, v, 0, e - s);
    types[i] = (byte) type;
  }

  /** The value under {@code key}, or null. */
  byte[] get(int key) {
    int i = slot(key);
    return values[i] != null && keys[i] == key ? values[i] : null;
  }

  int type(int key) {
    return types[slot(key)];
  }

  private static int slot(int key) {
    return (key * 0x9E37_79B1) >>> (32 - BITS);
  }

  void clear() {
    Arrays.fill(values, null);
  }
}
