package dev.sluice.detect.decode;

import java.util.Objects;

/**
 * The shared machinery of the text decoders ({@link Base64Decoder}, {@link HexDecoder}): input is
 * cut into runs of alphabet characters (bytes the table maps to {@link #SKIP} are ignored inside a
 * run, any other non-alphabet byte ends it); a run's decoded bytes reach the sink only once the run
 * is {@code minRun} characters long: until then only the run's values are kept (at most minRun
 * bytes), so ordinary text and binary data (short runs) cost a table lookup and a store per byte,
 * no call, and nothing downstream. Output goes out in pieces of at most 8 KiB, and at the end of
 * every input piece.
 */
abstract class AlphabetRuns implements Decoder {

  /** Table value of a byte ignored inside a run (line breaks). */
  static final byte SKIP = -2;

  /** Table value of a byte that ends a run. */
  static final byte BREAK = -1;

  private static final int OUT = 8192;

  private final ByteSink sink;
  private final int minRun;

  /**
   * Per byte: -1 an alphabet character, -2 ignored in a run, 0 ends a run (see {@link #accept}).
   */
  private final byte[] step = new byte[256];

  /** The last values of the current run from earlier pieces while it is shorter than minRun. */
  private final byte[] carry;

  private int carried;
  private long carryRaw;

  /** Decoded bytes not yet passed on; allocated at the first run (most streams have none). */
  private byte[] out;

  private int outLength;
  private long outRaw;
  private int runChars;
  private boolean decoding;

  AlphabetRuns(ByteSink sink, int minRun) {
    this.sink = Objects.requireNonNull(sink, "sink");
    if (minRun < 1 || minRun > 4096) {
      throw new IllegalArgumentException("minRun must be in 1..4096, got " + minRun);
    }
    this.minRun = minRun;
    this.carry = new byte[minRun];
    byte[] t = table();
    for (int c = 0; c < 256; c++) {
      step[c] = (byte) (t[c] >= 0 ? -1 : t[c] == SKIP ? -2 : 0);
    }
  }

  /** The decode step for one alphabet value of a run. */
  abstract void value(int v, long rawStart);

  /** The run ended: decode any partial group (with {@link #emit}), then forget the run. */
  abstract void endRun(long rawStart);

  /** The decode table: value, {@link #SKIP} or {@link #BREAK} for each of the 256 bytes. */
  abstract byte[] table();

  @Override
  public void accept(byte[] b, int off, int len, long rawStart) {
    byte[] t = table();
    int i = off;
    int end = off + len;
    while (i < end) {
      if (!decoding) {
        // The hot loop on anything but long runs: the run's length kept without a branch
        // (step -1: n + 1; -2: n; 0: 0), one predictable test per byte.
        int n = runChars;
        byte[] st = step;
        int limit = minRun;
        for (; i < end; i++) {
          int sv = st[b[i] & 0xFF];
          n = (n & (sv >> 1)) + (sv & 1);
          if (n >= limit) {
            break;
          }
        }
        if (i == end) {
          keepCarry(b, off, end, n, rawStart);
          runChars = n;
          break;
        }
        startDecoding(b, off, i, rawStart);
        i++;
      } else {
        for (; i < end; i++) {
          int v = t[b[i] & 0xFF];
          if (v >= 0) {
            value(v, rawStart);
          } else if (v == BREAK) {
            endRun(rawStart);
            decoding = false;
            runChars = 0;
            carried = 0;
            i++;
            break;
          }
        }
      }
    }
    flush();
  }

  /**
   * The run ending at {@code b[last]} just reached minRun characters: decodes them (those still in
   * this piece, and the carry from earlier pieces) and goes on decoding.
   */
  private void startDecoding(byte[] b, int off, int last, long rawStart) {
    byte[] t = table();
    int want = minRun;
    int from = last;
    int here = 0;
    while (from >= off && here < want) {
      int v = t[b[from] & 0xFF];
      if (v >= 0) {
        here++;
      } else if (v == BREAK) {
        break;
      }
      if (here < want) {
        from--;
      }
    }
    int fromCarry = want - here;
    long raw = fromCarry > 0 ? carryRaw : rawStart;
    for (int k = carried - fromCarry; k < carried; k++) {
      value(carry[k], raw);
    }
    for (int k = Math.max(from, off); k <= last; k++) {
      int v = t[b[k] & 0xFF];
      if (v >= 0) {
        value(v, raw);
      }
    }
    decoding = true;
    carried = 0;
  }

  /** True while a run of at least minRun characters is being decoded. */
  final boolean decoding() {
    return decoding;
  }

  /** Characters of the current run (less than minRun unless {@link #decoding()}). */
  final int runChars() {
    return runChars;
  }

  final int minRun() {
    return minRun;
  }

  /** The run-length step of each byte: -1 alphabet, -2 ignored in a run, 0 ends a run. */
  final byte[] step() {
    return step;
  }

  /**
   * A piece in which, the caller has checked, no run reaches minRun characters (counting the
   * current run's characters carried in) and no run is being decoded: only the run at the piece's
   * end is remembered, walked back from the end, without looking at the rest.
   */
  final void skipShortRuns(byte[] b, int off, int len, long rawStart) {
    byte[] t = table();
    int end = off + len;
    int here = 0;
    int k = end - 1;
    while (k >= off) {
      int v = t[b[k] & 0xFF];
      if (v == BREAK) {
        break;
      }
      if (v >= 0) {
        here++;
      }
      k--;
    }
    int n = k < off ? runChars + here : here;
    if (n >= minRun) {
      throw new IllegalStateException("a run of " + n + " characters is not short");
    }
    keepCarry(b, off, end, n, rawStart);
    runChars = n;
  }

  /** At the end of a piece inside a short run: keeps the run's last values for the next piece. */
  private void keepCarry(byte[] b, int off, int end, int n, long rawStart) {
    if (n == 0) {
      carried = 0;
      return;
    }
    byte[] t = table();
    int here = 0;
    int k = end - 1;
    while (k >= off && here < n) {
      if (t[b[k] & 0xFF] >= 0) {
        here++;
      }
      k--;
    }
    // the run's values: (n - here) from earlier pieces, at the end of the carry, then `here`
    // values in this piece; n < minRun, so all of them fit
    int keepOld = Math.min(n - here, carried);
    System.arraycopy(carry, carried - keepOld, carry, 0, keepOld);
    if (keepOld == 0) {
      carryRaw = rawStart;
    }
    int m = keepOld;
    for (int j = k + 1; j < end; j++) {
      int v = t[b[j] & 0xFF];
      if (v >= 0) {
        carry[m++] = (byte) v;
      }
    }
    carried = m;
  }

  /** Appends one decoded byte of the current run. */
  final void emit(int value, long rawStart) {
    if (outLength == 0) {
      outRaw = rawStart;
      if (out == null) {
        out = new byte[OUT + 8];
      }
    }
    out[outLength++] = (byte) value;
    if (outLength == OUT) {
      flush();
    }
  }

  private void flush() {
    if (outLength > 0) {
      sink.accept(out, 0, outLength, outRaw);
      outLength = 0;
    }
  }

  @Override
  public void end() {
    if (decoding) {
      endRun(outRaw);
      decoding = false;
    }
    runChars = 0;
    flush();
    sink.end();
  }

  @Override
  public String failure() {
    return null;
  }
}
