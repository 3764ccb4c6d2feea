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
 * run). It is only needed near long stretches of bytes of one alphabet or its skipped bytes: a run
 * of {@code minRun} characters spans at least {@code minRun} such bytes in a row, so at least
 * {@code (minRun - 7) / 8} whole 8-byte words of them. Elsewhere the bytes are read as
 * little-endian words: a word with a byte whose high bit is set (binary, compressed, UTF-8) cannot
 * be part of a run and costs one test; a word of ASCII costs eight lookups in one table whose bits
 * say whether the byte belongs to the base64 set, the hex set, or neither (it ends both runs), and
 * whose AND over the word says the same of the word. When some set has that many whole words in a
 * row, the exact test runs again from the last word holding a byte that ends both runs (where both
 * lengths are known to be 0), past the words that set it off, to the next such byte. So the answer
 * is exactly the byte-by-byte one; binary input costs a fraction of a nanosecond per byte.
 */
final class LongRuns {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final int IN_BASE64 = 1;
  private static final int IN_HEX = 2;
  private static final int IN_EITHER = 4;

  /** Per byte: which sets hold it (run-length steps of -1 or -2 in that decoder's table). */
  private final byte[] sets = new byte[256];

  private final byte[] base64Steps;
  private final byte[] hexSteps;
  private final int over;
  private final int words;

  /**
   * @param base64Steps, hexSteps the decoders' run-length steps ({@link AlphabetRuns#step()})
   * @param minRun a power of two: the run length that counts as long
   */
  LongRuns(byte[] base64Steps, byte[] hexSteps, int minRun) {
    this.base64Steps = base64Steps;
    this.hexSteps = hexSteps;
    this.over = ~(minRun - 1);
    this.words = (minRun - 7) >> 3;
    for (int c = 0; c < 256; c++) {
      int s = (base64Steps[c] != 0 ? IN_BASE64 : 0) | (hexSteps[c] != 0 ? IN_HEX : 0);
      sets[c] = (byte) (s == 0 ? 0 : s | IN_EITHER);
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
      // both runs are 0 here: whole words, until one set has `words` of them in a row
      int broken = i; // a word holding a byte that ends both runs, or i (both runs 0 there)
      int inBase64 = 0;
      int inHex = 0;
      int k = i;
      byte[] t = sets;
      for (; k <= end - 8; k += 8) {
        if ((((long) LONGS.get(b, k)) & HIGH_BITS) != 0) {
          inBase64 = 0;
          inHex = 0;
          broken = k;
          continue;
        }
        int m = t[b[k]] & t[b[k + 1]] & t[b[k + 2]] & t[b[k + 3]];
        m &= t[b[k + 4]] & t[b[k + 5]] & t[b[k + 6]] & t[b[k + 7]];
        inBase64 = (m & IN_BASE64) != 0 ? inBase64 + 1 : 0;
        inHex = (m & IN_HEX) != 0 ? inHex + 1 : 0;
        if ((m & IN_EITHER) == 0) {
          broken = k;
        }
        if (inBase64 >= words || inHex >= words) {
          break;
        }
      }
      if (k > end - 8) {
        return false; // no set had `words` whole words in a row: no run can be long
      }
      i = broken;
      a = 0;
      h = 0;
      exactUntil = k + 8;
    }
  }
}
