package dev.sluice.codec;

import java.util.Arrays;

/**
 * A unit's shape (its bytes with placeholders for values, {@link Lexer}) and what the stream learnt
 * about it: the values its slots held last time (the template of the next unit of this shape),
 * per-slot statistics, and which shape followed it. Library shapes from the model file are the same
 * structure, read-only.
 */
final class Shape {
  final byte[] bytes;
  final long hash;
  final int slots;

  /** The placeholder kind ({@link Lexer#JSON} or {@link Lexer#RAW}) of each slot, in order. */
  final byte[] kinds;

  /**
   * Per slot: a hash of the shape bytes before it, back to the last comma, brace, bracket or slot
   * (at most 32): its key, as {@code "created":}. A new shape's slot takes the stream's last value
   * of the same key.
   */
  final int[] keys;

  /**
   * Longest value kept as a template, and most bytes of values kept a shape: an open stream's
   * memory stays bounded (issue 13) whatever its values; a longer value is coded without a template
   * next time (text that repeats is found in the text history instead).
   */
  static final int MAX_VALUE = 256;

  static final int MAX_VALUES = 1024;

  /** The last values, concatenated: value {@code i} is {@code vals[vEnd[i - 1], vEnd[i])}. */
  byte[] vals = new byte[0];

  final int[] vEnd;
  final byte[] vType;

  /** Per slot: the last class, the last few SAME outcomes, the last numeric delta. */
  final byte[] cls;

  final byte[] same;
  final long[] delta;

  /** Whether each slot holds a value yet (a new shape's slots without a template do not). */
  final boolean[] known;

  /** Per slot: the template came from the library and was not coded in this stream yet. */
  final boolean[] inherited;

  /** Per slot (library shapes): the value was the same in every training stream that had it. */
  final boolean[] stable;

  /** Per slot: it carried a token stream (a value opened with the last one's look-ahead). */
  final boolean[] tokens;

  /** The stream shape that followed this one last time (its id), or -1. */
  int next = -1;

  int nextHits;

  /** A blank line (SSE's event end): predictions after it look at the shape before it. */
  final boolean blank;

  /** The next shape other than a blank line that followed this one last time (its id), or -1. */
  int sigNext = -1;

  int sigHits;

  /** The library shape other than a blank line that followed this one in training, or -1. */
  int libSigNext = -1;

  /** The library shape this one was made from, or that it is; -1 if none. */
  int lib = -1;

  /** The library shape that followed this one in the training streams (library shapes only). */
  int libNext = -1;

  int id;
  long lastUse;

  Shape(byte[] bytes, int len) {
    this.bytes = Arrays.copyOf(bytes, len);
    this.hash = hash(bytes, len);
    int k = 0;
    for (int i = 0; i < len; i++) {
      if (bytes[i] == Lexer.JSON || bytes[i] == Lexer.RAW) {
        k++;
      }
    }
    this.slots = k;
    boolean b = len > 0;
    for (int i = 0; i < len; i++) {
      b &= bytes[i] == '\r' || bytes[i] == '\n';
    }
    this.blank = b;
    this.kinds = new byte[k];
    this.keys = new int[k];
    int j = 0;
    int from = 0;
    for (int i = 0; i < len; i++) {
      if (bytes[i] == Lexer.JSON || bytes[i] == Lexer.RAW) {
        kinds[j] = bytes[i];
        int h = 0x811C_9DC5 ^ bytes[i];
        int q0 = i;
        while (q0 > from && q0 > i - 32 && !keyStart(bytes[q0 - 1])) {
          q0--;
        }
        for (int q = q0; q < i; q++) {
          h = (h ^ (bytes[q] & 0xFF)) * 0x0100_0193;
        }
        keys[j++] = h;
        from = i + 1;
      }
    }
    this.vEnd = new int[k];
    this.vType = new byte[k];
    this.cls = new byte[k];
    this.same = new byte[k];
    this.delta = new long[k];
    this.known = new boolean[k];
    this.inherited = new boolean[k];
    this.stable = new boolean[k];
    this.tokens = new boolean[k];
  }

  int valueStart(int i) {
    return i == 0 ? 0 : vEnd[i - 1];
  }

  /** Replaces the stored values with {@code b[s[i], e[i])}, of types {@code t[i]}. */
  void store(byte[] b, int[] s, int[] e, int[] t) {
    int total = 0;
    for (int i = 0; i < slots; i++) {
      int n = e[i] - s[i];
      if (n <= MAX_VALUE && total + n <= MAX_VALUES) {
        total += n;
      }
    }
    if (vals.length < total) {
      vals = new byte[Math.max(total, Math.min(vals.length * 2, MAX_VALUES))];
    } else if (vals.length > 64 && total < vals.length / 4) {
      vals = new byte[total];
    }
    int at = 0;
    for (int i = 0; i < slots; i++) {
      int n = e[i] - s[i];
      vType[i] = (byte) t[i];
      if (n <= MAX_VALUE && at + n <= MAX_VALUES) {
        System.arraycopy(b, s[i], vals, at, n);
        at += n;
        known[i] = true;
      } else {
        known[i] = false; // too long to keep: the next value of this slot has no template
      }
      vEnd[i] = at;
    }
  }

  /** A copy with the same bytes, values and slot statistics (not the links). */
  Shape copy() {
    Shape c = new Shape(bytes, bytes.length);
    c.vals = vals.clone();
    System.arraycopy(vEnd, 0, c.vEnd, 0, slots);
    System.arraycopy(vType, 0, c.vType, 0, slots);
    System.arraycopy(cls, 0, c.cls, 0, slots);
    System.arraycopy(same, 0, c.same, 0, slots);
    System.arraycopy(delta, 0, c.delta, 0, slots);
    System.arraycopy(known, 0, c.known, 0, slots);
    System.arraycopy(stable, 0, c.stable, 0, slots);
    System.arraycopy(tokens, 0, c.tokens, 0, slots);
    return c;
  }

  private static boolean keyStart(byte c) {
    return c == ',' || c == '{' || c == '[';
  }

  static long hash(byte[] b, int len) {
    long h = 0x9E37_79B9_7F4A_7C15L ^ len;
    for (int i = 0; i < len; i++) {
      h = (h ^ (b[i] & 0xFF)) * 0x100_0000_01B3L;
    }
    return h ^ (h >>> 29);
  }

  boolean sameBytes(byte[] b, int len) {
    return len == bytes.length && Arrays.equals(bytes, 0, len, b, 0, len);
  }
}
