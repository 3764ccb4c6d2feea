package dev.sluice.detect.decode;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Whether a piece holds a base64 or hex run long enough to decode, answered eight bytes at a time
 * where no such run can be: {@link TextDecoders}' test before it hands a piece to the decoders.
 *
 * <p>The exact test keeps both alphabets' run lengths byte by byte (the length of a run counts its
 * alphabet characters; a byte the decoder skips, such as a line break, neither counts nor ends the
 * run). It is only needed near long stretches of bytes of one alphabet's set (its characters and
 * skipped bytes): a run of {@code minRun} characters spans at least {@code minRun} such bytes in a
 * row, so at least {@code w = (minRun - 7) / 8} whole 8-byte words of them, and so one of every
 * {@code w}-th word (7th for runs of 64). Only those words are looked at: a little-endian word with
 * a byte whose high bit is set (binary, compressed, UTF-8) is in neither set, else eight lookups in
 * one table say which sets hold all its bytes. Where one does (a long word of text), the words next
 * to it are looked at, and unless {@code w} words in a row may be of one set, the look-out goes on
 * (in prose most such stretches are one or two words long). Else the exact test runs from the
 * nearest word before it that holds a byte outside each set (after which both lengths are known),
 * past that word, to the next byte that ends both runs; then the look-out goes on from there. So
 * the answer is exactly the byte-by-byte one, and most input costs one word in {@code w}.
 */
final class LongRuns {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private static final int IN_BASE64 = 1;
  private static final int IN_HEX = 2;

  /** Per byte: which sets hold it (run-length steps of -1 or -2 in that decoder's table). */
  private final byte[] sets = new byte[256];

  private final byte[] base64Steps;
  private final byte[] hexSteps;
  private final int over;
  private final int words;
  private final int step;

  /**
   * @param base64Steps, hexSteps the decoders' run-length steps ({@link AlphabetRuns#step()})
   * @param minRun a power of two: the run length that counts as long
   */
  LongRuns(byte[] base64Steps, byte[] hexSteps, int minRun) {
    this.base64Steps = base64Steps;
    this.hexSteps = hexSteps;
    this.over = ~(minRun - 1);
    this.words = (minRun - 7) >> 3;
    this.step = 8 * words;
    for (int c = 0; c < 256; c++) {
      int s = (base64Steps[c] != 0 ? IN_BASE64 : 0) | (hexSteps[c] != 0 ? IN_HEX : 0);
      sets[c] = (byte) s;
    }
  }

  /**
   * True when a base64 or hex run reaches minRun characters in {@code b[off, off+len)}, the runs
   * carried in from earlier pieces being {@code base64} and {@code hex} characters long.
   */
  boolean in(byte[] b, int off, int len, int base64, int hex) {
    byte[] s64 = base64Steps;
    byte[] s16 = hexSteps;
    int a = base64;
    int h = hex;
    int i = off;
    int end = off + len;
    int exactUntil = words >= 2 ? off : end;
    while (true) {
      // exact, byte by byte, until a byte that ends both runs at or after exactUntil
      for (; i < end; i++) {
        int c = b[i] & 0xFF;
        int x = s64[c];
        int y = s16[c];
        a = (a & (x >> 1)) + (x & 1);
        h = (h & (y >> 1)) + (y & 1);
        if (((a | h) & over) != 0) {
          return true;
        }
        if ((x | y) == 0 && i >= exactUntil) {
          i++;
          break;
        }
      }
      if (i >= end) {
        return false;
      }
      // both runs are 0 here. A run long enough holds `words` whole words of its set in a row,
      // so one of every `words`-th word from here: look at those only
      int from = i;
      int k = i + step - 8;
      while (k <= end - 8) {
        int m = clean(b, k);
        if (m != 0) {
          // a long run through word k holds `words` whole words of one set in a row, all clean:
          // count the clean words next to k (a set dropped from the mask once a word is not in
          // it; the count bounds either set's stretch), and go exact only if there can be enough
          int n = 1;
          int f = m;
          for (int j = k + 8; n < words && j <= end - 8 && (f &= clean(b, j)) != 0; j += 8) {
            n++;
          }
          f = m;
          for (int j = k - 8; n < words && j >= from && (f &= clean(b, j)) != 0; j -= 8) {
            n++;
          }
          if (n >= words) {
            break;
          }
        }
        k += step;
      }
      if (k > end - 8) {
        return false;
      }
      // back to a word with a byte outside each set (both runs are known after it), or to from
      int r = k - 8;
      while (r >= from && clean(b, r) != 0) {
        r -= 8;
      }
      i = Math.max(r, from);
      a = 0;
      h = 0;
      exactUntil = k + 8;
    }
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
