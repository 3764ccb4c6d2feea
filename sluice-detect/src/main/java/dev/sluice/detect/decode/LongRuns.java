package dev.sluice.detect.decode;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Where in a piece a base64 or hex run first becomes long enough to decode ({@link #find}), looked
 * for sixteen bytes in every 48 where no such run can be: {@link TextDecoders}' test before it
 * hands bytes to the decoders.
 *
 * <p>The exact test keeps both alphabets' run lengths byte by byte (the length of a run counts its
 * alphabet characters; a byte the decoder skips, such as a line break, neither counts nor ends the
 * run). It is only needed near long stretches of bytes of one alphabet's set (its characters and
 * skipped bytes): a run of 64 characters spans at least 64 such bytes in a row, so 7 whole 8-byte
 * words of them, and so a whole pair of words out of every 6. Only those pairs are looked at (the
 * look-out), with a test of a few additions on the two little-endian words that every byte of a set
 * passes (checked when the tables are given), so a pair it rejects is in no run: a byte whose high
 * bit is set (binary, compressed, UTF-8) is in neither set; below that, a byte of {@code
 * 0x00..0x09} or {@code 0x20..0x29} (space, quotes, brackets) is in no base64 run and one of {@code
 * 0x00..0x08} or {@code 0x67..0x7F} (zeros, {@code g} to {@code z}, braces) in no hex run. Prose
 * fails both tests on almost every pair (sixteen bytes without a space are rare; sixteen without a
 * letter after {@code f} rarer), so the look-out costs two word reads, a dozen additions and three
 * predictable branches per 48 bytes. Where a pair passes, the seven words must also hold the two
 * before it or the two after it, and those pairs must pass the same test; then the words are looked
 * up byte by byte in one table that says which sets hold each byte, and the words of one set next
 * to the pair are counted (a set dropped from the count once a word is not in it). Unless 7 words
 * in a row may be of one set, the look-out goes on. Else the exact test runs from the nearest word
 * before the pair that holds a byte outside each set (after which both lengths are known), past the
 * pair, to the next byte that ends both runs; then the look-out goes on from there. So the answer
 * is exactly the byte-by-byte one. For runs longer than 64 the same pairs do (a longer run holds
 * more words); for minRun below 64 the exact test does all the work.
 */
final class LongRuns {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  /**
   * The look-out's tests, on words with their high bits clear: {@code (v | SPACE) + AT_LEAST_2A}
   * sets a byte's high bit unless the byte is one of {@code 0x00..0x09} or {@code 0x20..0x29}
   * (control characters but line breaks, space, quotes, brackets: in no base64 run); {@code v +
   * AT_LEAST_67} sets it when the byte is one of {@code 0x67..0x7F} ({@code g} to {@code z},
   * braces) and {@code v + AT_LEAST_09} unless it is one of {@code 0x00..0x08} (zeros, control
   * characters): either is in no hex run. No sum carries into the next byte (each stays below
   * 0x100).
   */
  private static final long SPACE = 0x2020202020202020L;

  private static final long AT_LEAST_2A = 0x5656565656565656L;
  private static final long AT_LEAST_67 = 0x1919191919191919L;
  private static final long AT_LEAST_09 = 0x7777777777777777L;

  /**
   * The look-out's pairs of words: one every 48 bytes, the first at 40 bytes past where it starts
   * (a constant, so that the loop is a counted one: as a field it cost a quarter more on text).
   */
  private static final int PAIR_STRIDE = 48;

  private static final int FIRST_PAIR = PAIR_STRIDE - 8;

  /** The shortest minRun for which the look-out runs (7 whole words). */
  private static final int LOOK_OUT_RUN = 64;

  private static final int IN_BASE64 = 1;
  private static final int IN_HEX = 2;

  /** Per byte: which sets hold it (run-length steps of -1 or -2 in that decoder's table). */
  private final byte[] sets = new byte[256];

  private final byte[] base64Steps;
  private final byte[] hexSteps;
  private final int over;
  private final int words;
  private final boolean lookOut;

  /**
   * @param base64Steps, hexSteps the decoders' run-length steps ({@link AlphabetRuns#step()});
   *     every byte of their sets must pass the look-out's test of that set (checked)
   * @param minRun a power of two: the run length that counts as long
   */
  LongRuns(byte[] base64Steps, byte[] hexSteps, int minRun) {
    this.base64Steps = base64Steps;
    this.hexSteps = hexSteps;
    this.over = ~(minRun - 1);
    this.words = (minRun - 7) >> 3;
    this.lookOut = minRun >= LOOK_OUT_RUN;
    for (int c = 0; c < 256; c++) {
      int s = (base64Steps[c] != 0 ? IN_BASE64 : 0) | (hexSteps[c] != 0 ? IN_HEX : 0);
      sets[c] = (byte) s;
      long word = c * 0x0101010101010101L;
      boolean high = c >= 0x80;
      if ((s & IN_BASE64) != 0 && (high || !mayBeBase64(word, word))
          || (s & IN_HEX) != 0 && (high || !mayBeHex(word, word))) {
        throw new IllegalArgumentException("byte " + c + " fails the look-out's test of its set");
      }
    }
  }

  /**
   * False when one of the words {@code x}, {@code y} (high bits clear) holds a byte that is in no
   * base64 run: one of {@code 0x00..0x09} or {@code 0x20..0x29}.
   */
  private static boolean mayBeBase64(long x, long y) {
    return (((x | SPACE) + AT_LEAST_2A) & ((y | SPACE) + AT_LEAST_2A) & HIGH_BITS) == HIGH_BITS;
  }

  /**
   * False when one of the words {@code x}, {@code y} (high bits clear) holds a byte that is in no
   * hex run: one of {@code 0x67..0x7F} or {@code 0x00..0x08} (zeros, small integers).
   */
  private static boolean mayBeHex(long x, long y) {
    return (((x + AT_LEAST_67) | (y + AT_LEAST_67)) & HIGH_BITS) == 0
        && ((x + AT_LEAST_09) & (y + AT_LEAST_09) & HIGH_BITS) == HIGH_BITS;
  }

  /**
   * The index of the first byte of {@code b[off, off+len)} at which a base64 or hex run reaches
   * minRun characters, the runs carried in from earlier pieces being {@code base64} and {@code hex}
   * characters long; -1 when none does.
   */
  int find(byte[] b, int off, int len, int base64, int hex) {
    byte[] s64 = base64Steps;
    byte[] s16 = hexSteps;
    int a = base64;
    int h = hex;
    int i = off;
    int end = off + len;
    // (a piece ending near the largest index is tested byte by byte: the look-out's k + 48 must
    // not overflow)
    int exactUntil = lookOut && end <= Integer.MAX_VALUE - 2 * PAIR_STRIDE ? off : end;
    while (true) {
      // exact, byte by byte, until a byte that ends both runs at or after exactUntil
      for (; i < end; i++) {
        int c = b[i] & 0xFF;
        int x = s64[c];
        int y = s16[c];
        a = (a & (x >> 1)) + (x & 1);
        h = (h & (y >> 1)) + (y & 1);
        if (((a | h) & over) != 0) {
          return i;
        }
        if ((x | y) == 0 && i >= exactUntil) {
          i++;
          break;
        }
      }
      if (i >= end) {
        return -1;
      }
      // both runs are 0 here. A run long enough holds 7 whole words of its set in a row, so a
      // pair of words out of every 6: look at those pairs only
      int from = i;
      int k = i + FIRST_PAIR;
      for (; k <= end - 16; k += PAIR_STRIDE) {
        long x = (long) LONGS.get(b, k);
        long y = (long) LONGS.get(b, k + 8);
        if (((x | y) & HIGH_BITS) == 0
            && (mayBeBase64(x, y) || mayBeHex(x, y))
            && longStretch(b, k, from, end)) {
          break;
        }
      }
      if (k > end - 16) {
        return -1;
      }
      // back to a word with a byte outside each set (both runs are known after it), or to from
      int r = k - 8;
      while (r >= from && clean(b, r) != 0) {
        r -= 8;
      }
      i = Math.max(r, from);
      a = 0;
      h = 0;
      exactUntil = k + 16;
    }
  }

  /** The look-out's test of the pair of words at {@code b[k]}: false when it is in no run. */
  private static boolean mayHold(byte[] b, int k) {
    long x = (long) LONGS.get(b, k);
    long y = (long) LONGS.get(b, k + 8);
    return ((x | y) & HIGH_BITS) == 0 && (mayBeBase64(x, y) || mayBeHex(x, y));
  }

  /**
   * Whether the pair of words at {@code b[k]}, which passed the look-out's test, lies in {@code
   * words} whole words in a row that are all of one set, within {@code [from, end)}. Those words
   * hold the pair and, as they are 7 or more, either the two words before it or the two after it:
   * unless one of those pairs passes the same test, no. Else the words of each set are counted
   * exactly from the pair on both sides (the count bounds either set's stretch).
   */
  private boolean longStretch(byte[] b, int k, int from, int end) {
    if (!(k - 16 >= from && mayHold(b, k - 16)) && !(k + 32 <= end && mayHold(b, k + 16))) {
      return false;
    }
    int m = clean(b, k) & clean(b, k + 8);
    if (m == 0) {
      return false;
    }
    int n = 2;
    int f = m;
    for (int j = k + 16; n < words && j <= end - 8 && (f &= clean(b, j)) != 0; j += 8) {
      n++;
    }
    f = m;
    for (int j = k - 8; n < words && j >= from && (f &= clean(b, j)) != 0; j -= 8) {
      n++;
    }
    return n >= words;
  }

  /**
   * Which sets hold every byte of the word at {@code b[k]}: {@link #IN_BASE64}, {@link #IN_HEX}.
   */
  private int clean(byte[] b, int k) {
    if ((((long) LONGS.get(b, k)) & HIGH_BITS) != 0) {
      return 0;
    }
    byte[] t = sets;
    int m = t[b[k]] & t[b[k + 1]] & t[b[k + 2]] & t[b[k + 3]];
    return m & t[b[k + 4]] & t[b[k + 5]] & t[b[k + 6]] & t[b[k + 7]] & (IN_BASE64 | IN_HEX);
  }
}
