package dev.sluice.codec;

/**
 * Codes a byte string as a difference from a template: at each position, whether the next byte is
 * the template's at the aligned position (a repeated key or id prefix costs a small fraction of a
 * bit a byte), and otherwise whether the string ends there, or the byte itself from a small
 * order-1/2/3 mixing model; after each literal the template is re-aligned on the last three bytes.
 * Used for new shapes (against a known shape), for identifiers and other strings that are not text
 * (against the last value of their slot), and for numbers that are not plain integers.
 *
 * <p>Every use has its own {@code channel} of statistics. For shapes it also reports, for each
 * placeholder of the result, which placeholder of the template it was copied from ({@link
 * #aligned}), so values can be coded against the template's values. Part of a stream's state.
 */
final class DiffCoder {
  static final int SHAPE = 0;
  static final int STRING = 1;
  static final int NUMBER = 2;
  private static final int CHANNELS = 3;

  private static final int END = 256;
  private static final int BITS = 9;
  private static final int LIT_CONTEXTS = 6;

  /** Inputs of the literal mixer: the stream's contexts, the static shape orders, a bias. */
  private static final int INPUTS = LIT_CONTEXTS + ShapeLiterals.ORDERS + 1;

  final Probs flags = new Probs(CHANNELS * 64);
  final Probs bytes = new Probs(LIT_CONTEXTS << BITS);
  final int[] mixer = weights();
  private final int[] idx = new int[LIT_CONTEXTS];
  private final int[] st = new int[INPUTS];
  private final int[] sh = new int[ShapeLiterals.ORDERS];

  /** The model file's statistics of shape bytes, or null. */
  private final ShapeLiterals shapeLiterals;

  final ByteBuf out = new ByteBuf(256);

  /** For each placeholder of the last result: the template placeholder it copies, or -1. */
  int[] aligned = new int[16];

  int alignedCount;

  private int[] templateSlot = new int[256];

  DiffCoder(ShapeLiterals shapeLiterals) {
    this.shapeLiterals = shapeLiterals;
  }

  private static int[] weights() {
    int[] w = new int[INPUTS * 256 * 2];
    java.util.Arrays.fill(w, 1 << 14);
    return w;
  }

  /**
   * Codes {@code s[off, off + len)} (ignored when decoding) against {@code t[0, tl)}; the result is
   * in {@link #out}.
   *
   * @param max the longest result accepted when decoding
   */
  void code(BitCoding c, int channel, byte[] s, int off, int len, byte[] t, int tl, int max)
      throws CodecFormatException {
    boolean enc = !c.decoding();
    out.n = 0;
    alignedCount = 0;
    if (channel == SHAPE) {
      slotsOf(t, tl);
    }
    int fb = channel * 64;
    int ptr = 0;
    int run = 0;
    int lit = 0;
    int i = 0;
    while (true) {
      int pred = ptr < tl ? t[ptr] & 0xFF : END;
      int actual = enc ? (i < len ? s[off + i] & 0xFF : END) : 0;
      int m =
          flags.code(
              c,
              fb + Math.min(run, 15) * 2 + (pred == END ? 1 : 0),
              enc ? (actual == pred ? 1 : 0) : 0);
      if (m != 0) {
        if (pred == END) {
          return;
        }
        put(pred, max);
        if (channel == SHAPE && pred <= Lexer.RAW) {
          align(templateSlot[ptr]);
        }
        ptr++;
        run++;
        lit = 0;
        i++;
        continue;
      }
      run = 0;
      if (pred != END) {
        int isEnd = flags.code(c, fb + 40 + Math.min(lit, 3), enc ? (actual == END ? 1 : 0) : 0);
        if (isEnd != 0) {
          return;
        }
      }
      int b = literal(c, channel, enc ? actual : 0, pred, lit);
      lit++;
      put(b, max);
      if (channel == SHAPE && b <= Lexer.RAW) {
        align(-1);
      }
      i++;
      ptr = pred == END ? ptr : ptr + 1;
      ptr = realign(t, tl, ptr);
    }
  }

  /** Gives back a template index grown for a long shape. */
  void trim() {
    if (templateSlot.length > 256) {
      templateSlot = new int[256];
    }
  }

  private void slotsOf(byte[] t, int tl) {
    if (templateSlot.length < tl + 1) {
      templateSlot = new int[Math.max(tl + 1, templateSlot.length * 2)];
    }
    int k = 0;
    for (int i = 0; i < tl; i++) {
      templateSlot[i] = k;
      if (t[i] == Lexer.JSON || t[i] == Lexer.RAW) {
        k++;
      }
    }
  }

  private void align(int slot) {
    if (alignedCount == aligned.length) {
      aligned = java.util.Arrays.copyOf(aligned, alignedCount * 2);
    }
    aligned[alignedCount++] = slot;
  }

  private int realign(byte[] t, int tl, int ptr) {
    int n = out.n;
    if (n < 3) {
      return ptr;
    }
    byte[] o = out.a;
    byte a = o[n - 3];
    byte b = o[n - 2];
    byte d = o[n - 1];
    if (ptr >= 3 && ptr <= tl && t[ptr - 3] == a && t[ptr - 2] == b && t[ptr - 1] == d) {
      return ptr;
    }
    int from = Math.max(0, ptr - 16);
    for (int q = from; q + 3 <= tl && q < ptr + 64; q++) {
      if (t[q] == a && t[q + 1] == b && t[q + 2] == d) {
        return q + 3;
      }
    }
    return ptr;
  }

  private int literal(BitCoding c, int channel, int value, int pred, int lit) {
    int n = out.n;
    byte[] o = out.a;
    int alphabet = 0;
    for (int k = Math.max(0, n - 24); k < n; k++) {
      alphabet |= classBit(o[k]);
    }
    int c1 = n > 0 ? o[n - 1] & 0xFF : 0;
    int c2 = n > 1 ? o[n - 2] & 0xFF : 0;
    int c3 = n > 2 ? o[n - 3] & 0xFF : 0;
    int m = (1 << BITS) - 1;
    int ch = channel << 24;
    int wb = (channel == SHAPE ? 0 : 1) * 256 * INPUTS;
    char[][] lt = channel == SHAPE && shapeLiterals != null ? shapeLiterals.tables : null;
    if (lt != null) {
      for (int k = 0; k < ShapeLiterals.ORDERS; k++) {
        sh[k] = ShapeLiterals.context(o, n, k);
      }
    }
    int c0 = 1;
    for (int bit = 7; bit >= 0; bit--) {
      idx[0] = (mix(ch | c1 << 8 | c0, 0)) & m;
      idx[1] = (1 << BITS) | (mix(ch | c2 << 16 | c1 << 8, c0 + 1) & m);
      idx[2] = (2 << BITS) | (mix(c3 << 24 ^ ch ^ c2 << 16 | c1 << 8, c0 + 2) & m);
      idx[3] = (3 << BITS) | (mix(ch | pred << 8 | c1, c0 + 3) & m);
      idx[4] = (4 << BITS) | (mix(ch | Math.min(lit, 3) << 12 | charClass(pred), c0 + 4) & m);
      // The alphabet of the string so far (an id is hex, or base62): what its next byte is from.
      idx[5] = (5 << BITS) | (mix(ch | alphabet << 8 | Math.min(n, 15), c0 + 5) & m);
      long dot = 0;
      int set = wb + c0 * INPUTS;
      for (int j = 0; j < LIT_CONTEXTS; j++) {
        st[j] = Logistic.stretch(bytes.p(idx[j]));
        dot += (long) st[j] * mixer[set + j];
      }
      for (int k = 0; k < ShapeLiterals.ORDERS; k++) {
        int x = 0;
        if (lt != null) {
          char v = lt[k][ShapeLiterals.node(sh[k], c0)];
          x = (v & 15) != 0 ? ((short) v) >> 4 : 0;
        }
        st[LIT_CONTEXTS + k] = x;
        dot += (long) x * mixer[set + LIT_CONTEXTS + k];
      }
      st[INPUTS - 1] = 256;
      dot += 256L * mixer[set + INPUTS - 1];
      int d = (int) (dot >> 16);
      int p = Logistic.squash(d);
      p = p < 1 ? 1 : Math.min(p, 4095);
      int y = c.code((value >>> bit) & 1, p);
      int err = ((y << 12) - p) * 4;
      for (int j = 0; j < INPUTS; j++) {
        mixer[set + j] += (int) (((long) st[j] * err + 0x2000) >> 14);
      }
      for (int j = 0; j < LIT_CONTEXTS; j++) {
        bytes.update(idx[j], y);
      }
      c0 = c0 << 1 | y;
    }
    return c0 & 0xFF;
  }

  /** Digits, a-f, g-z, A-F, G-Z, anything else: one bit each. */
  private static int classBit(byte b) {
    if (b >= '0' && b <= '9') {
      return 1;
    }
    if (b >= 'a' && b <= 'f') {
      return 2;
    }
    if (b >= 'g' && b <= 'z') {
      return 4;
    }
    if (b >= 'A' && b <= 'F') {
      return 8;
    }
    if (b >= 'G' && b <= 'Z') {
      return 16;
    }
    return 32;
  }

  private static int charClass(int b) {
    if (b >= '0' && b <= '9') {
      return 1;
    }
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) {
      return 2;
    }
    return b == END ? 3 : 4 + (b & 0x7F);
  }

  private static int mix(int a, int salt) {
    int x = (a * 0x9E37_79B1) ^ (salt * 0x85EB_CA6B);
    x ^= x >>> 15;
    x *= 0x2C1B_3C6D;
    x ^= x >>> 12;
    return x;
  }

  private void put(int b, int max) throws CodecFormatException {
    if (out.n >= max) {
      throw new CodecFormatException(-1, "a string longer than " + max + " bytes");
    }
    out.put(b);
  }

  void copyFrom(DiffCoder o) {
    flags.copyFrom(o.flags);
    bytes.copyFrom(o.bytes);
    System.arraycopy(o.mixer, 0, mixer, 0, mixer.length);
  }
}
