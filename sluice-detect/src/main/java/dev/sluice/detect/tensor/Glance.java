package dev.sluice.detect.tensor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The first, cheapest look at a block: {@link #PIECES} pieces of {@link #PIECE} bytes (1 KiB of a
 * 64 KiB block, 1/64), one at a random place in each quarter of the block, decide whether the block
 * may hold float high bytes or encoded text at all ({@link #mayMatter}). When it may not, the block
 * is skipped without a histogram: text, compressed or encrypted bytes and zeros cost this look
 * alone. When it may, the {@link TensorDetector} goes on exactly as without it (its own four 2 KiB
 * samples, then the full count).
 *
 * <p>How: each byte is looked up in one table of packed counters ({@link #TABLE}: six 10-bit
 * fields, one per question asked of a byte) and added to the accumulator of its lane, so a byte
 * costs a load, a table load and an add, with no histogram to clear and no increment waiting on
 * another; the four pieces are read in one loop, so their cache misses overlap. The questions are
 * those of {@link ExponentShape#mayHold} and of the detector's encoded text test, asked with looser
 * thresholds ({@link #MAY_HOLD_EXP7}, {@link #MAY_HOLD_EXP5}, {@link #MAX_ZERO}, {@link
 * #MIN_BASE64}, {@link #MAX_SPACES}) because 1 KiB at random places is a noisier sample than the
 * detector's 8 KiB: a block the detector would count in full passes this look (no weights slice of
 * the measured models is lost, {@code docs/detection.md}).
 *
 * <p>Where: the places are drawn per block from the generator the detector is given, so a sender
 * cannot know which bytes decide; see {@code docs/detection.md} "What evades it" for what that
 * buys.
 *
 * <p>{@link #closed} is not a sample but a proof, for the {@link TensorScanner}'s blocks judged in
 * place: that a 4 KiB piece cannot look like weights to {@link Trim} under any layout, so no region
 * can be extended into the block it ends or starts.
 */
final class Glance {
  /** Bytes of each piece looked at. */
  static final int PIECE = 256;

  /** Pieces looked at per block, one in each quarter. */
  static final int PIECES = 4;

  /** Of a lane's non-zero bytes, the plausible fraction (fp32/bf16 reading) that passes. */
  static final double MAY_HOLD_EXP7 = 0.6;

  /**
   * Of a lane pair's non-zero bytes, the plausible fraction (fp16 reading) that passes: random
   * bytes read as fp16 are 0.68 plausible (21 of 31 non-zero classes), so this one is close to the
   * detector's 0.8; at 512 bytes a pair, 0.78 is about five standard deviations above random.
   */
  static final double MAY_HOLD_EXP5 = 0.78;

  /** The largest fraction of a lane (or pair) in class 0 (zeros and subnormals) that passes. */
  static final double MAX_ZERO = 0.65;

  /** The smallest fraction of base64 alphabet (hex included) that may be encoded text. */
  static final double MIN_BASE64 = 0.4;

  /** Encoded text has fewer spaces than this fraction of its bytes. */
  static final double MAX_SPACES = 1.0 / 25;

  /** Most bytes of a piece that {@link #closed} counts (256 a lane: fits the 10-bit fields). */
  static final int PROOF = 1024;

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final int BITS = 10;
  private static final long FIELD = (1L << BITS) - 1;
  private static final int ZERO7 = 0;
  private static final int PLAUSIBLE7 = 1;
  private static final int ZERO5 = 2;
  private static final int PLAUSIBLE5 = 3;
  private static final int BASE64 = 4;
  private static final int SPACE = 5;

  /** Per byte value: a 1 in each field whose question the byte answers yes. */
  private static final long[] TABLE = new long[256];

  static {
    for (int v = 0; v < 256; v++) {
      int c7 = v & 0x7f;
      int c5 = (v >> 2) & 0x1f;
      long t = 0;
      t |= (c7 == 0 ? 1L : 0) << (ZERO7 * BITS);
      t |= (ExponentShape.SIGN_EXP7.plausibleClass(c7) ? 1L : 0) << (PLAUSIBLE7 * BITS);
      t |= (c5 == 0 ? 1L : 0) << (ZERO5 * BITS);
      t |= (ExponentShape.SIGN_EXP5.plausibleClass(c5) ? 1L : 0) << (PLAUSIBLE5 * BITS);
      t |= (EncodedRuns.BASE64[v] ? 1L : 0) << (BASE64 * BITS);
      t |= (v == ' ' ? 1L : 0) << (SPACE * BITS);
      TABLE[v] = t;
    }
  }

  private Glance() {}

  /**
   * True when {@code b[off, off+len)} (stream position {@code position} at {@code off}) may hold
   * float high bytes or encoded text, judged from pieces drawn with {@code random}; {@code len} is
   * at least {@code PIECE * PIECES}.
   */
  static boolean mayMatter(byte[] b, int off, int len, long position, SplittableRandom random) {
    return mayMatter(b, off, len, b, off + len, len, position, random);
  }

  /**
   * As {@link #mayMatter(byte[], int, int, long, SplittableRandom)} for a block of {@code len}
   * bytes in two parts: {@code a[aOff, aOff + aLen)}, then the rest from {@code c[cOff]} (a block
   * whose head is in a window and whose tail is in the piece that arrived). A piece drawn across
   * the two parts is moved to the start of the second, which is at least {@code PIECE + 3} long.
   */
  static boolean mayMatter(
      byte[] a,
      int aOff,
      int aLen,
      byte[] c,
      int cOff,
      int len,
      long position,
      SplittableRandom r) {
    int quarter = len / PIECES;
    // each piece starts on stream lane 0, so the four are read in one loop into one set of lane
    // accumulators: their cache misses overlap instead of following one another
    int[] at = new int[PIECES];
    byte[][] in = new byte[PIECES][];
    for (int q = 0; q < PIECES; q++) {
      int x = place(q, quarter, position, r);
      if (x + PIECE <= aLen) {
        in[q] = a;
        at[q] = aOff + x;
      } else {
        in[q] = c;
        at[q] = cOff + Math.max(x, aLen + (int) ((4 - ((position + aLen) & 3)) & 3)) - aLen;
      }
    }
    byte[] b0 = in[0];
    byte[] b1 = in[1];
    byte[] b2 = in[2];
    byte[] b3 = in[3];
    int p0 = at[0];
    int p1 = at[1];
    int p2 = at[2];
    int p3 = at[3];
    long a0 = 0;
    long a1 = 0;
    long a2 = 0;
    long a3 = 0;
    for (int i = 0; i < PIECE; i += 4) {
      a0 += TABLE[b0[p0 + i] & 0xff] + TABLE[b1[p1 + i] & 0xff];
      a1 += TABLE[b0[p0 + i + 1] & 0xff] + TABLE[b1[p1 + i + 1] & 0xff];
      a2 += TABLE[b0[p0 + i + 2] & 0xff] + TABLE[b1[p1 + i + 2] & 0xff];
      a3 += TABLE[b0[p0 + i + 3] & 0xff] + TABLE[b1[p1 + i + 3] & 0xff];
      a0 += TABLE[b2[p2 + i] & 0xff] + TABLE[b3[p3 + i] & 0xff];
      a1 += TABLE[b2[p2 + i + 1] & 0xff] + TABLE[b3[p3 + i + 1] & 0xff];
      a2 += TABLE[b2[p2 + i + 2] & 0xff] + TABLE[b3[p3 + i + 2] & 0xff];
      a3 += TABLE[b2[p2 + i + 3] & 0xff] + TABLE[b3[p3 + i + 3] & 0xff];
    }
    return judge(new long[] {a0, a1, a2, a3}, PIECE * PIECES / 4);
  }

  /** A random offset in quarter {@code q} for a piece that starts on stream lane 0 and fits. */
  private static int place(int q, int quarter, long position, SplittableRandom random) {
    int start = q * quarter;
    int lane0 = (int) ((4 - ((position + start) & 3)) & 3);
    return start + lane0 + (random.nextInt((quarter - PIECE - 3) / 4 + 1) << 2);
  }

  /**
   * True when {@code b[from, from + Trim.PIECE)} (stream position {@code position} at {@code from})
   * cannot look like weights to {@link Trim} under any layout (fp32 with any high lane, bf16 or
   * fp16 at either phase), so a region being extended stops before it: proven from its first 1 KiB
   * (more than 3% of the piece's elements with a non-zero implausible high byte, or more than half
   * with a zero one, fails {@link ExponentShape#weightLike} whatever the rest holds) or from its
   * being all zero bytes. False says only that it was not proven.
   */
  static boolean closed(byte[] b, int from, long position) {
    if (allZero(b, from, Trim.PIECE)) {
      return true;
    }
    // text is proven on the first 256 bytes; random bytes read as fp16 need 512 or more
    long[] lanes = new long[4];
    int counted = 0;
    for (int upTo = PROOF / 4; upTo <= PROOF; upTo *= 2) {
      count(b, from + counted, upTo - counted, position + counted, lanes);
      counted = upTo;
      if (proven(lanes, counted / 4)) {
        return true;
      }
    }
    return false;
  }

  /** True when the lane counts, {@code perLane} bytes each, prove a piece fails every layout. */
  private static boolean proven(long[] lanes, int perLane) {
    int elements32 = Trim.PIECE / 4;
    for (int k = 0; k < 4; k++) {
      int zero = field(lanes[k], ZERO7);
      if (!fails(zero, perLane - zero - field(lanes[k], PLAUSIBLE7), elements32)) {
        return false;
      }
    }
    for (int p = 0; p < 2; p++) {
      int zero7 = field(lanes[p], ZERO7) + field(lanes[p + 2], ZERO7);
      int plausible7 = field(lanes[p], PLAUSIBLE7) + field(lanes[p + 2], PLAUSIBLE7);
      int zero5 = field(lanes[p], ZERO5) + field(lanes[p + 2], ZERO5);
      int plausible5 = field(lanes[p], PLAUSIBLE5) + field(lanes[p + 2], PLAUSIBLE5);
      if (!fails(zero7, 2 * perLane - zero7 - plausible7, 2 * elements32)
          || !fails(zero5, 2 * perLane - zero5 - plausible5, 2 * elements32)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Sure to fail weightLike: more than 3% of at most {@code elements} implausible, or half zero.
   */
  private static boolean fails(int zero, int implausible, int elements) {
    // of the non-zero elements (at most all of them), less than 97% can then be plausible
    return implausible > (1 - ExponentShape.MIN_PLAUSIBLE) * elements
        || zero > ExponentShape.MAX_ZERO * elements;
  }

  private static boolean allZero(byte[] b, int from, int len) {
    long or = 0;
    for (int i = from, end = from + len; i < end; i += 8) {
      or |= (long) LONG_LE.get(b, i);
      if (or != 0) {
        return false;
      }
    }
    return true;
  }

  /** Adds {@code b[at, at+len)}'s table entries ({@code len} a multiple of 4) to the lanes. */
  private static void count(byte[] b, int at, int len, long position, long[] lanes) {
    // accumulators by lane relative to the piece's first byte, turned to stream lanes after
    long a0 = 0;
    long a1 = 0;
    long a2 = 0;
    long a3 = 0;
    for (int i = at, end = at + len; i < end; i += 4) {
      a0 += TABLE[b[i] & 0xff];
      a1 += TABLE[b[i + 1] & 0xff];
      a2 += TABLE[b[i + 2] & 0xff];
      a3 += TABLE[b[i + 3] & 0xff];
    }
    int first = (int) (position & 3);
    lanes[first] += a0;
    lanes[(first + 1) & 3] += a1;
    lanes[(first + 2) & 3] += a2;
    lanes[(first + 3) & 3] += a3;
  }

  /** The decision from the four lanes' packed counts, {@code perLane} bytes each. */
  private static boolean judge(long[] lanes, int perLane) {
    for (int k = 0; k < 4; k++) {
      if (may(field(lanes[k], ZERO7), field(lanes[k], PLAUSIBLE7), perLane, MAY_HOLD_EXP7)) {
        return true;
      }
    }
    for (int p = 0; p < 2; p++) {
      int zero = field(lanes[p], ZERO5) + field(lanes[p + 2], ZERO5);
      int plausible = field(lanes[p], PLAUSIBLE5) + field(lanes[p + 2], PLAUSIBLE5);
      if (may(zero, plausible, 2 * perLane, MAY_HOLD_EXP5)) {
        return true;
      }
    }
    int all = 4 * perLane;
    int base64 = 0;
    int spaces = 0;
    for (long lane : lanes) {
      base64 += field(lane, BASE64);
      spaces += field(lane, SPACE);
    }
    return base64 >= MIN_BASE64 * all && spaces < MAX_SPACES * all;
  }

  private static boolean may(int zero, int plausible, int all, double minPlausible) {
    int nonZero = all - zero;
    return zero <= MAX_ZERO * all && nonZero > 0 && plausible >= minPlausible * nonZero;
  }

  private static int field(long packed, int field) {
    return (int) ((packed >>> (field * BITS)) & FIELD);
  }
}
