package dev.sluice.codec;

/**
 * Codes signed integers (deltas of counters and timestamps, lengths) in one of {@link #CONTEXTS}
 * adaptive contexts: the sign, the number of trailing decimal zeros (a nanosecond timestamp that
 * ticks in microseconds ends with 000), the bit length of what is left, its two bits after the top
 * one, and the rest as they are. A counter that steps by one costs a fraction of a bit; an
 * unpredictable value about its bit length plus a few bits.
 */
final class NumberCoder {
  static final int CONTEXTS = 16;

  // Contexts in use: 0-7 deltas by slot, 4-7 also decimals, 8-11 values, 12 widths and digit
  // counts, 13 binary lengths, 14-15 text references.

  private static final int SIGN = 0;
  private static final int ZEROS = 1; // 32 nodes: unary up to 18
  private static final int LENGTH = 33; // 64-node tree over 6 bits
  private static final int MANTISSA = 97; // 64 lengths x 3 nodes
  private static final int PER = 97 + 64 * 3;

  private static final long[] POW10 = new long[19];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
  }

  final Probs probs = new Probs(CONTEXTS * PER);

  /** Codes {@code v} (ignored when decoding) in context {@code ctx}; returns it. */
  long code(BitCoding c, int ctx, long v) throws CodecFormatException {
    int base = (ctx & (CONTEXTS - 1)) * PER;
    boolean enc = !c.decoding();
    int neg = probs.code(c, base + SIGN, enc && v < 0 ? 1 : 0);
    long m = enc ? Math.abs(v) : 0;
    if (enc && m < 0) {
      throw new IllegalArgumentException("cannot code Long.MIN_VALUE");
    }
    int tz = 0;
    if (enc && m != 0) {
      while (tz < 18 && m % POW10[tz + 1] == 0) {
        tz++;
      }
    }
    int z = 0;
    while (z < 18) {
      int more = probs.code(c, base + ZEROS + z, enc && z < tz ? 1 : 0);
      if (more == 0) {
        break;
      }
      z++;
    }
    long q = enc ? m / POW10[z] : 0;
    int nb = enc ? 64 - Long.numberOfLeadingZeros(q) : 0;
    nb = probs.tree(c, base + LENGTH, 6, nb);
    if (nb > 60) {
      throw new CodecFormatException(-1, "a number of " + nb + " bits");
    }
    long r = nb == 0 ? 0 : 1;
    for (int k = nb - 2; k >= 0; k--) {
      int bit = enc ? (int) (q >>> k) & 1 : 0;
      int rank = nb - 2 - k;
      int y;
      if (rank < 2) {
        y = probs.code(c, base + MANTISSA + nb * 3 + rank + (rank == 1 ? (int) (r & 1) : 0), bit);
      } else {
        y = c.code(bit, 2048);
      }
      r = r << 1 | y;
    }
    if (z > 0 && r > Long.MAX_VALUE / POW10[z]) {
      throw new CodecFormatException(-1, "a number out of range");
    }
    long out = r * POW10[z];
    return neg != 0 ? -out : out;
  }
}
