package dev.sluice.codec;

import java.util.Arrays;

/**
 * The trained, read-only statistics of the text model: for each of the {@link #ORDERS} static
 * contexts a hash table of nibble buckets. A bucket is 16 chars: slot 0 holds a 16-bit check of the
 * context hash (0 = empty), slots 1..15 the 15 nodes of the binary tree of one nibble. Two-way set
 * associative: a context lives in bucket {@code j} or {@code j ^ 1} of its table.
 *
 * <p>A node has two forms. While the trainer counts, it is a 12-bit probability of a 1 and a 4-bit
 * count of observations (0 = never seen), learnt by {@link #learn}. Before the tables are tuned,
 * saved or used for coding, {@link #toCodingForm} turns each node into what the coder reads: the
 * stretched probability as a signed 12-bit value and the same count ({@code ((short) v) >> 4} is
 * the mixer input; a never-seen node is 0, an input of 0).
 *
 * <p>Memory layout, for speed only (the coded bits do not depend on it): each table array starts
 * with {@link #PAD} unused chars and ends with one all-zero bucket, {@link #empty}, that stands for
 * every context not in the table, so the coder reads a node without a branch. The pad puts each
 * pair of ways in one 64-byte cache line under the JVM's usual layout (a 16-byte array header, and
 * G1 placing arrays of half a region or more at a region start), so a lookup costs one cache miss,
 * not two.
 *
 * <p>Also what tuning learnt: the initial mixer weights, match-model and boundary statistics, which
 * every stream copies at its start and adapts on its own, and the order-1 APM, which every stream
 * reads and none changes.
 */
final class TextTables {
  /** Static contexts: order 2, 3, 4, 6, word, two words. */
  static final int ORDERS = 6;

  /** Unused chars at the start of each table array (see the class comment). */
  static final int PAD = 24;

  final int bucketBits;
  final char[][] tables;
  final int[] mixer1;
  final int[] mixer2;

  /** The order-1 APM, learnt while tuning and read-only when coding: 65536 x 33. */
  final int[] apm2;

  private volatile char[] apm2Chars;

  final int[] match;
  final int[] boundary;

  TextTables(int bucketBits) {
    this.bucketBits = bucketBits;
    this.tables = new char[ORDERS][];
    for (int o = 0; o < ORDERS; o++) {
      tables[o] = allocate(bucketBits, o);
    }
    TextModel fresh = new TextModel(null);
    this.mixer1 = fresh.mixer1.clone();
    this.mixer2 = fresh.mixer2.clone();
    this.apm2 = new Apm(65536, 7).t;
    this.match = fresh.matchModels.table().clone();
    this.boundary = fresh.boundaryState();
  }

  TextTables(
      int bucketBits, char[][] tables, int[] m1, int[] m2, int[] apm2, int[] match, int[] b) {
    this.bucketBits = bucketBits;
    this.tables = tables;
    this.mixer1 = m1;
    this.mixer2 = m2;
    this.apm2 = apm2;
    this.match = match;
    this.boundary = b;
  }

  /** The order-1 APM as 16-bit values (its entries are 16-bit probabilities), made once. */
  char[] apm2Chars() {
    char[] c = apm2Chars;
    if (c == null) {
      c = new char[apm2.length];
      for (int i = 0; i < c.length; i++) {
        c[i] = (char) Math.max(0, Math.min(65535, apm2[i]));
      }
      apm2Chars = c;
    }
    return c;
  }

  /**
   * The same static tables and order-1 APM with other adaptive starting state (the trainer carries
   * it from one tuning stream to the next).
   */
  TextTables withState(int[] m1, int[] m2, int[] match, int[] b) {
    return new TextTables(bucketBits, tables, m1, m2, apm2, match, b);
  }

  /** An empty model: every context unseen. */
  static TextTables empty() {
    return new TextTables(4);
  }

  /**
   * Buckets of table {@code o} are 2^bits: order 2 has at most 2^16 (65,536 contexts x 17 nibble
   * trees fill it), so it stays in cache.
   */
  static int bits(int bucketBits, int o) {
    return o == 0 ? Math.min(bucketBits, 16) : bucketBits;
  }

  /** A zeroed table array for order {@code o}: the pad, the buckets, the empty bucket. */
  static char[] allocate(int bucketBits, int o) {
    return new char[PAD + (1 << bits(bucketBits, o)) * 16 + 16];
  }

  /** Chars of the buckets of a table array (what the model file stores). */
  static int bucketChars(char[] table) {
    return table.length - PAD - 16;
  }

  /** The index of the all-zero bucket of table {@code o}: a context the table does not hold. */
  int empty(int o) {
    return tables[o].length - 16;
  }

  /** The index of the first way of hash {@code h} in a table of {@code buckets} (a power of 2). */
  static int firstWay(int h, int buckets) {
    return PAD + ((h & (buckets - 1)) << 4);
  }

  /** The other way of the pair that bucket index {@code b} belongs to. */
  static int otherWay(int b) {
    return PAD + ((((b - PAD) >>> 4) ^ 1) << 4);
  }

  /** Buckets in table {@code o}. */
  int buckets(int o) {
    return bucketChars(tables[o]) >>> 4;
  }

  /** The bucket of hash {@code h} in table {@code o}, taking over the less used way if needed. */
  int findOrCreate(int o, int h) {
    int b0 = firstWay(h, buckets(o));
    return findOrCreate(tables[o], check(h), b0, otherWay(b0));
  }

  /** The same for a per-stream table without a pad: 2^k buckets, {@code mask} = 2^k - 1. */
  static int findOrCreate(char[] t, int mask, int h) {
    int b0 = (h & mask) << 4;
    return findOrCreate(t, check(h), b0, b0 ^ 16);
  }

  /** The way of {@code b0, b1} that holds {@code chk}, or the less used one, emptied for it. */
  private static int findOrCreate(char[] t, char chk, int b0, int b1) {
    if (t[b0] == chk) {
      return b0;
    }
    if (t[b1] == chk) {
      return b1;
    }
    int b = (t[b0 + 1] & 15) <= (t[b1 + 1] & 15) ? b0 : b1;
    Arrays.fill(t, b, b + 16, (char) 0);
    t[b] = chk;
    return b;
  }

  /**
   * Turns every counted node into its coding form: {@code stretch(p) << 4 | n} as a 16-bit two's
   * complement value, 0 where never seen. Done once, after counting.
   */
  void toCodingForm() {
    for (char[] t : tables) {
      int end = PAD + bucketChars(t);
      for (int b = PAD; b < end; b += 16) {
        for (int i = b + 1; i < b + 16; i++) {
          char v = t[i];
          int n = v & 15;
          t[i] = n == 0 ? 0 : (char) ((Logistic.stretch(v >>> 4) << 4) | n);
        }
      }
    }
  }

  static char check(int h) {
    int c = (h >>> 16) & 0xFFFF;
    return (char) (c == 0 ? 1 : c);
  }

  /** 65536 x 2 / (2n + 3): the learning rate after n observations, without a division. */
  private static final int[] RATE = new int[16];

  static {
    for (int n = 0; n < 15; n++) {
      RATE[n] = 131072 / (2 * n + 3);
    }
    // Seen 15 times or more: a slower average, so common contexts keep what they learnt.
    RATE[15] = 65536 / 40;
  }

  /** Learns bit {@code y} in a node: count-based rate, at most 1/16.5 once seen 15 times. */
  static char learn(char v, int y) {
    int p = v >>> 4;
    int n = v & 15;
    if (n == 0) {
      p = 2048;
    }
    int target = y != 0 ? 4095 : 0;
    p += ((target - p) * RATE[n]) >> 16;
    if (p < 1) {
      p = 1;
    } else if (p > 4095) {
      p = 4095;
    }
    if (n < 15) {
      n++;
    }
    return (char) (p << 4 | n);
  }
}
