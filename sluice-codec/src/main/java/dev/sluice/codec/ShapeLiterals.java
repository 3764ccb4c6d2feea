package dev.sluice.codec;

/**
 * What the bytes of shapes look like (JSON keys, punctuation, SSE field names, event types, HTTP
 * header names), learnt from the training streams' shapes: read-only statistics of orders 1 to 4
 * that the {@link DiffCoder} mixes in when it codes a literal byte of a new shape. A stream of an
 * API the model never saw still writes {@code "index"}, {@code "_tokens"} or {@code "type":"}: with
 * these its first events cost about two thirds of what they would from the stream's own small
 * literal model alone.
 *
 * <p>Each order is a table of {@code 2^BITS} nodes, indexed by a hash of the order's bytes and the
 * bits of the current byte so far; a node is in {@link TextTables}' coding form (stretched
 * probability in the high 12 bits, count in the low 4, 0 = never seen). Counting happens once, in
 * the trainer; the tables are shared by every stream of a process.
 */
final class ShapeLiterals {
  static final int ORDERS = 4;
  static final int BITS = 16;

  final char[][] tables;

  ShapeLiterals(char[][] tables) {
    if (tables.length != ORDERS) {
      throw new IllegalArgumentException(tables.length + " literal tables");
    }
    for (char[] t : tables) {
      if (t.length != 1 << BITS) {
        throw new IllegalArgumentException("a literal table of " + t.length + " nodes");
      }
    }
    this.tables = tables;
  }

  /** Empty tables, for counting. */
  static ShapeLiterals counting() {
    return new ShapeLiterals(new char[ORDERS][1 << BITS]);
  }

  /** The hash of order {@code o}'s context: the last {@code o + 1} bytes of {@code b[0, n)}. */
  static int context(byte[] b, int n, int o) {
    int h = (o + 1) * 0x3C6E_F372;
    for (int k = 1; k <= o + 1; k++) {
      int c = n - k >= 0 ? b[n - k] & 0xFF : 0x100;
      h = (h + c + 1) * 0x9E37_79B1;
      h ^= h >>> 15;
    }
    return h;
  }

  /** The node of a context hash {@code h} for the bits {@code c0} (1 then the bits so far). */
  static int node(int h, int c0) {
    int x = h + c0 * 0x2C1B_3C6D;
    x ^= x >>> 16;
    x *= 0x85EB_CA6B;
    x ^= x >>> 13;
    return x & ((1 << BITS) - 1);
  }

  /**
   * Counts the bytes of one shape (placeholders included), each in the context of the ones before.
   */
  void count(byte[] b, int len) {
    int[] h = new int[ORDERS];
    for (int i = 0; i < len; i++) {
      for (int o = 0; o < ORDERS; o++) {
        h[o] = context(b, i, o);
      }
      int v = b[i] & 0xFF;
      int c0 = 1;
      for (int bit = 7; bit >= 0; bit--) {
        int y = (v >>> bit) & 1;
        for (int o = 0; o < ORDERS; o++) {
          int k = node(h[o], c0);
          tables[o][k] = TextTables.learn(tables[o][k], y);
        }
        c0 = c0 << 1 | y;
      }
    }
  }

  /** Turns every counted node into its coding form; once, after counting. */
  void toCodingForm() {
    for (char[] t : tables) {
      for (int i = 0; i < t.length; i++) {
        char v = t[i];
        int n = v & 15;
        t[i] = n == 0 ? 0 : (char) ((Logistic.stretch(v >>> 4) << 4) | n);
      }
    }
  }
}
