package dev.sluice.codec;

import java.util.Arrays;

/**
 * The context-mixing model of answer text (as it appears inside a JSON string, escapes and all),
 * one instance per stream. Each byte is coded as 8 binary decisions, most significant first. The
 * top bit (0 for ASCII, and fixed by the bytes before inside UTF-8) has a small direct model of its
 * own, by the top bits of the last two bytes. Each of the other 7 decisions mixes:
 *
 * <ul>
 *   <li>6 predictions from the model file's read-only {@link TextTables} (orders 2, 3, 4, 6, the
 *       current word, the last two words), learnt from the operator's corpus;
 *   <li>3 predictions from this stream's own small adaptive tables (orders 1, 2, 3), so what this
 *       answer repeats gets cheap;
 *   <li>a match model: the byte that followed the last occurrence of the current 6-byte context in
 *       this stream, weighted by how long the match is;
 * </ul>
 *
 * <p>with two mixers (weight sets chosen by the highest known static order and match length, and by
 * the bits of the byte so far and the class of the last byte), averaged, then refined by an APM on
 * the bits so far and the last byte (read-only, from the model file). Mixer weights and the match
 * statistics start from the model file's tuned values and adapt per stream.
 *
 * <p>What is left out was measured to be worth less than its time (held-out bench, wire bytes per
 * text byte, Arena-Hard, each about 3-7% of the codec's time): a static order 1 (+0.1% without it;
 * the APM and the adaptive order 1 know the same), adaptive orders 4 and 6 (+0.2%, and none: the
 * match model covers long contexts), an adaptive APM on the partial byte (+0.1%), a bias input
 * (+0.04%), mixing the top bit (+0.1%). Dropping either mixer costs 2-3%, a static word context 1%.
 *
 * <p>It also holds the chunk-boundary model: whether the stream's current chunk ends before the
 * next character, given that character (which the codec codes first) and the text before it.
 *
 * <p>Not thread-safe; integer arithmetic only, so every platform predicts alike.
 */
final class TextModel {
  private static final int ADAPTIVE_BITS = 11;
  private static final int ADAPTIVE_ORDERS = 3;

  /** Static orders 2, 3, 4 and 6: the highest of them known selects the weights of mixer 1. */
  private static final int LOW_ORDERS = 4;

  /**
   * Text the match model and text references reach back over. Every open stream holds it (at most
   * 256 KB a stream in all, issue 13); 16 KiB coded the held-out Arena-Hard answers of four
   * families to the same bytes per text byte, to four digits, as these 8 KiB.
   */
  private static final int HISTORY = 1 << 13;

  private static final int MATCH_BITS = 11;
  private static final int MIN_MATCH = 6;
  private static final int INPUTS = TextTables.ORDERS + ADAPTIVE_ORDERS + 1;

  private final TextTables tables;

  /**
   * The weights of the two text mixers (16.16 fixed point), mixed in one pass in {@link #codeByte}:
   * sets by the highest known static order, its confidence and the match length; and by the bits of
   * the byte so far and the class of the last character.
   */
  final int[] mixer1 = weights((LOW_ORDERS + 1) * 3 * 4);

  final int[] mixer2 = weights(256 * 4);
  private static final int RATE = 8;
  private final Apm apm2;
  private boolean tuning;
  final BitModels matchModels = new BitModels(64, 255);

  private char[] adaptive;
  private int[] matchTable;
  private byte[] history;
  private int pos;
  private int matchPtr;
  private int matchLen;

  private long hist;
  private int wordHash;
  private int prevWordHash;
  private final int[] ctx = new int[TextTables.ORDERS + ADAPTIVE_ORDERS];
  private final int[] sBucket = new int[TextTables.ORDERS];
  private final int[] aBucket = new int[ADAPTIVE_ORDERS];
  private final int[] inputs = new int[INPUTS];
  private final int[] probeHash = new int[TextTables.ORDERS];

  /**
   * Loads that only bring the order-1 APM rows of the next bit into cache; summed here so the JIT
   * keeps them. Java has no prefetch instruction, and this row is otherwise a cache miss on the
   * critical path of every bit.
   */
  private int warm;

  private final char[] probe0 = new char[TextTables.ORDERS];
  private final char[] probe1 = new char[TextTables.ORDERS];

  /** Where tokens end, and the top bit of each byte. */
  private final TokenEnds ends = new TokenEnds();

  /**
   * @param tables the model file's statistics; null only to obtain the default initial state
   */
  TextModel(TextTables tables) {
    this.tables = tables;
    this.apm2 = tables == null ? null : new Apm(tables.apm2, 7);
    if (tables != null) {
      System.arraycopy(tables.mixer1, 0, mixer1, 0, mixer1.length);
      System.arraycopy(tables.mixer2, 0, mixer2, 0, mixer2.length);
      System.arraycopy(tables.match, 0, matchModels.table(), 0, tables.match.length);
      restoreBoundary(tables.boundary);
    }
  }

  private static int[] weights(int sets) {
    int[] w = new int[sets * INPUTS];
    Arrays.fill(w, 1 << 14);
    return w;
  }

  private static int clampStretch(int d) {
    return d > 2047 ? 2047 : d < -2047 ? -2047 : d;
  }

  /** The order-1 APM, read-only, from its 16-bit copy (half the cache lines of the int table). */
  private int refineStatic(int pr, int cx) {
    char[] t = tables.apm2Chars();
    int s = Logistic.stretch(pr) + 2048;
    int lo = s >> 7;
    int w = s & 127;
    int i = cx * 33 + lo;
    return (t[i] * (128 - w) + t[i + 1] * w) >> 11;
  }

  /** While tuning, the shared order-1 APM learns too (it is read-only when coding). */
  void tuning(boolean on) {
    tuning = on;
  }

  int[] boundaryState() {
    return ends.state();
  }

  private void restoreBoundary(int[] s) {
    ends.restore(s);
  }

  private void ensureStreamState() {
    if (adaptive == null) {
      adaptive = new char[(1 << ADAPTIVE_BITS) * 16];
      matchTable = new int[1 << MATCH_BITS];
      history = new byte[HISTORY];
      computeContexts();
    }
  }

  /** Codes one byte of text and learns from it. */
  int codeByte(BitCoding c, int value) {
    ensureStreamState();
    int c0 = 1;
    int c1 = (int) (hist & 0xFF);
    int c1Class =
        (c1 >= 'a' && c1 <= 'z') || (c1 >= 'A' && c1 <= 'Z') || c1 >= 0x80
            ? 0
            : c1 == ' ' ? 1 : (c1 >= '0' && c1 <= '9') ? 2 : 3;
    int expected = matchLen > 0 ? (history[matchPtr & (HISTORY - 1)] & 0xFF) | 0x100 : 0;
    int mlb = matchLen == 0 ? 0 : matchLen < 16 ? 1 : matchLen < 32 ? 2 : 3;
    int a2Row = c1 << 8;
    // While tuning, the order-1 APM learns in its int table and there is no 16-bit copy to warm.
    char[] a2 = tuning ? null : tables.apm2Chars();
    int w =
        a2 == null
            ? 0
            : a2[(a2Row | 2) * 33] + a2[(a2Row | 2) * 33 + 32] + a2[(a2Row | 3) * 33 + 32];
    selectBuckets(0);
    // The top bit is 0 for ASCII and follows from the bytes before inside UTF-8: it carries almost
    // nothing in answer text, so a direct model (the last byte's top 4 bits, the one before's top
    // 3) codes it instead of the mixers, saving an eighth of the work per byte.
    int c2 = (int) ((hist >>> 8) & 0xFF);
    c0 = 2 | ends.codeTop(c, (c1 >> 4) << 3 | c2 >> 5, (value >>> 7) & 1);
    for (int bit = 6; bit >= 0; bit--) {
      if (bit == 3) {
        selectBuckets(16 | (c0 & 15));
      }
      int node = nodeIndex(c0, bit);
      if (bit > 0 && a2 != null) {
        // The two rows the next bit may use (children of c0) are adjacent: 66 chars.
        int next = (a2Row | c0 << 1) * 33;
        w += a2[next] + a2[next + 32] + a2[next + 65];
      }
      int hi = -1;
      int hiN = 0;
      int[] x = inputs;
      int n = 0;
      char[][] st = tables.tables;
      for (int o = 0; o < TextTables.ORDERS; o++) {
        // Coding form: the stretched probability in the high 12 bits, the count in the low 4.
        char v = st[o][sBucket[o] + node];
        x[n++] = ((short) v) >> 4;
        if (o < LOW_ORDERS && (v & 15) != 0) {
          hi = o;
          hiN = v & 15;
        }
      }
      char[] ad = adaptive;
      for (int o = 0; o < ADAPTIVE_ORDERS; o++) {
        char v = ad[aBucket[o] + node];
        x[n++] = (v & 15) != 0 ? Logistic.stretch(v >>> 4) : 0;
      }
      int mctx = -1;
      if (expected != 0 && (expected >>> (bit + 1)) == c0) {
        int eb = (expected >>> bit) & 1;
        mctx = Math.min(matchLen, 31) << 1 | eb;
        x[n++] = Logistic.stretch(matchModels.p(mctx));
      } else {
        x[n++] = 0;
      }
      int conf = hiN < 3 ? 0 : hiN < 15 ? 1 : 2;
      // Both mixers in one pass over the inputs.
      int[] w1 = mixer1;
      int[] w2 = mixer2;
      int b1 = (((hi + 1) * 3 + conf) * 4 + (mctx < 0 ? 0 : mlb)) * INPUTS;
      int b2 = (c0 | c1Class << 8) * INPUTS;
      long dot1 = 0;
      long dot2 = 0;
      for (int i = 0; i < INPUTS; i++) {
        long xi = x[i];
        dot1 += xi * w1[b1 + i];
        dot2 += xi * w2[b2 + i];
      }
      int d1 = clampStretch((int) (dot1 >> 16));
      int d2 = clampStretch((int) (dot2 >> 16));
      int p1 = Logistic.squash(d1);
      int p2 = Logistic.squash(d2);
      int pm = Logistic.squash((d1 + d2) >> 1);
      int cx2 = c0 | a2Row;
      int pa2 = tuning ? apm2.refine(pm, cx2) : refineStatic(pm, cx2);
      int p = (3 * pm + 5 * pa2) >> 3;
      if (p < 1) {
        p = 1;
      } else if (p > 4095) {
        p = 4095;
      }
      int y = c.code((value >>> bit) & 1, p);
      int e1 = ((y << 12) - p1) * RATE;
      int e2 = ((y << 12) - p2) * RATE;
      for (int i = 0; i < INPUTS; i++) {
        long xi = x[i];
        w1[b1 + i] += (int) ((xi * e1 + 0x2000) >> 14);
        w2[b2 + i] += (int) ((xi * e2 + 0x2000) >> 14);
      }
      if (tuning) {
        apm2.update(y);
      }
      if (mctx >= 0) {
        matchModels.update(mctx, y);
      }
      for (int o = 0; o < ADAPTIVE_ORDERS; o++) {
        int i = aBucket[o] + node;
        adaptive[i] = TextTables.learn(adaptive[i], y);
      }
      c0 = c0 << 1 | y;
    }
    warm += w;
    int b = c0 & 0xFF;
    advance(b);
    return b;
  }

  /** Bytes of text history that can be referred to (at most the window, less near the start). */
  int historyAvailable() {
    return history == null ? 0 : Math.min(pos, HISTORY - 64);
  }

  /** The byte {@code back} bytes before the end of the history (1 = the last byte). */
  int historyByte(int back) {
    return history[(pos - back) & (HISTORY - 1)] & 0xFF;
  }

  /** Forgets the text context (the trainer's counting pass, between texts). */
  void resetText() {
    hist = 0;
    wordHash = 0;
    prevWordHash = 0;
    computeContexts();
  }

  /** Learns one byte into the static tables only (the trainer's counting pass). */
  void count(int value) {
    int c0 = 1;
    for (int bit = 7; bit >= 0; bit--) {
      if (bit == 7 || bit == 3) {
        int sel = bit == 7 ? 0 : (16 | (c0 & 15));
        for (int o = 0; o < TextTables.ORDERS; o++) {
          sBucket[o] = tables.findOrCreate(o, rehash(ctx[o], sel));
        }
      }
      int node = nodeIndex(c0, bit);
      int y = (value >>> bit) & 1;
      for (int o = 0; o < TextTables.ORDERS; o++) {
        int i = sBucket[o] + node;
        tables.tables[o][i] = TextTables.learn(tables.tables[o][i], y);
      }
      c0 = c0 << 1 | y;
    }
    hist = hist << 8 | value;
    updateWords(value);
    computeContexts();
  }

  /** The node (1..15) of bit {@code bit} inside its nibble's tree, given the bits so far. */
  private static int nodeIndex(int c0, int bit) {
    // Bits 7..4: c0 holds 1 + 0..3 bits; bits 3..0: c0 holds 1 + 4 + 0..3 bits.
    int done = bit >= 4 ? 7 - bit : 3 - bit;
    return (1 << done) | (c0 & ((1 << done) - 1));
  }

  private void selectBuckets(int sel) {
    // All static buckets are looked up before any is used, so their cache misses overlap.
    char[][] t = tables.tables;
    for (int o = 0; o < TextTables.ORDERS; o++) {
      int h = rehash(ctx[o], sel);
      int b0 = TextTables.firstWay(h, tables.buckets(o));
      probeHash[o] = h;
      probe0[o] = t[o][b0];
      probe1[o] = t[o][TextTables.otherWay(b0)];
      sBucket[o] = b0;
    }
    for (int o = 0; o < TextTables.ORDERS; o++) {
      char chk = TextTables.check(probeHash[o]);
      int b0 = sBucket[o];
      sBucket[o] =
          probe0[o] == chk ? b0 : probe1[o] == chk ? TextTables.otherWay(b0) : tables.empty(o);
    }
    int mask = (1 << ADAPTIVE_BITS) - 1;
    for (int o = 0; o < ADAPTIVE_ORDERS; o++) {
      aBucket[o] = TextTables.findOrCreate(adaptive, mask, rehash(ctx[TextTables.ORDERS + o], sel));
    }
  }

  private void advance(int b) {
    history[pos & (HISTORY - 1)] = (byte) b;
    pos++;
    if (matchLen > 0 && (history[matchPtr & (HISTORY - 1)] & 0xFF) == b) {
      matchLen++;
      matchPtr++;
    } else {
      matchLen = 0;
    }
    hist = hist << 8 | b;
    updateWords(b);
    if (pos >= MIN_MATCH) {
      int h = (int) (((hist & 0xFFFF_FFFF_FFFFL) * 0x9E37_79B9_7F4A_7C15L) >>> (64 - MATCH_BITS));
      if (matchLen == 0) {
        int cand = matchTable[h];
        if (cand > 0 && pos - cand < HISTORY - 64) {
          int len = 0;
          while (len < 32
              && len < cand
              && history[(cand - 1 - len) & (HISTORY - 1)]
                  == history[(pos - 1 - len) & (HISTORY - 1)]) {
            len++;
          }
          if (len >= MIN_MATCH) {
            matchLen = len;
            matchPtr = cand;
          }
        }
      }
      matchTable[h] = pos;
    }
    computeContexts();
  }

  private void updateWords(int b) {
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b >= 0x80 || (b >= '0' && b <= '9')) {
      int lower = (b >= 'A' && b <= 'Z') ? b + 32 : b;
      wordHash = (wordHash + lower + 1) * 0x2F0B_4C93;
    } else if (wordHash != 0) {
      prevWordHash = wordHash;
      wordHash = 0;
    }
  }

  private void computeContexts() {
    long h = hist;
    ctx[0] = hash64(h & 0xFFFFL, 2);
    ctx[1] = hash64(h & 0xFF_FFFFL, 3);
    ctx[2] = hash64(h & 0xFFFF_FFFFL, 4);
    ctx[3] = hash64(h & 0xFFFF_FFFF_FFFFL, 6);
    ctx[4] = hash64(((long) wordHash << 8) | (h & 0xFF), 7);
    ctx[5] = hash64(((long) prevWordHash << 32) ^ (wordHash & 0xFFFF_FFFFL), 8);
    // Adaptive orders 1, 2 and 3.
    int a = TextTables.ORDERS;
    ctx[a] = hash64(h & 0xFFL, 1) ^ 0x5BD1_E995;
    ctx[a + 1] = ctx[0] ^ 0x5BD1_E995;
    ctx[a + 2] = ctx[1] ^ 0x5BD1_E995;
  }

  /**
   * A 32-bit hash of a context value: one multiply, keeping the high half, which depends on every
   * bit of the value. Static contexts are mixed again with the nibble by {@link #rehash}.
   */
  static int hash64(long v, int salt) {
    return (int) (((v + salt) * 0x9E37_79B9_7F4A_7C15L) >>> 32);
  }

  private static int rehash(int h, int sel) {
    int x = h + sel * 0x9E37_79B1;
    x ^= x >>> 15;
    x *= 0x2C1B_3C6D;
    x ^= x >>> 12;
    return x;
  }

  // ---- token ends ({@link TokenEnds}, with this model's text history) ----

  /** See {@link TokenEnds#codeBoundary}. */
  int codeBoundary(
      BitCoding c, int next, int sinceStart, int chunkHash, int bit, int vocabW, int vocabWc) {
    return ends.codeBoundary(c, next, sinceStart, chunkHash, bit, vocabW, vocabWc, hist);
  }

  /** See {@link TokenEnds#codeEnd}. */
  int codeEnd(BitCoding c, int sinceStart, int chunkHash, int bit, int vocabW, int section) {
    return ends.codeEnd(c, sinceStart, chunkHash, bit, vocabW, section, hist);
  }
}
