package dev.sluice.detect.decode;

import java.util.Objects;

/**
 * The shared machinery of the text decoders ({@link Base64Decoder}, {@link HexDecoder}): input is
 * cut into runs of alphabet characters (bytes the table maps to {@link #SKIP} are ignored inside a
 * run, any other non-alphabet byte ends it); a run's decoded bytes reach the sink only once the run
 * is {@code minRun} characters long, so ordinary text (words are short runs) costs one table lookup
 * per byte and nothing downstream. Output goes out in pieces of at most 8 KiB, and at the end of
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
   * Decoded bytes: [0, committed) belong to long-enough runs, the rest to the current short one.
   */
  private final byte[] out = new byte[OUT + 256];

  private int outLength;
  private int committed;
  private long outRaw;
  private int runChars;

  AlphabetRuns(ByteSink sink, int minRun) {
    this.sink = Objects.requireNonNull(sink, "sink");
    if (minRun < 1 || minRun > 256) {
      throw new IllegalArgumentException("minRun must be in 1..256, got " + minRun);
    }
    this.minRun = minRun;
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
    for (int i = off, end = off + len; i < end; i++) {
      int v = t[b[i] & 0xFF];
      if (v >= 0) {
        if (runChars < minRun && ++runChars == minRun) {
          committed = outLength;
        }
        value(v, rawStart);
      } else if (v == BREAK && runChars > 0) {
        closeRun(rawStart);
      }
    }
    flush();
  }

  private void closeRun(long rawStart) {
    endRun(rawStart);
    if (runChars < minRun) {
      outLength = committed;
    }
    runChars = 0;
  }

  /** Appends one decoded byte of the current run. */
  final void emit(int value, long rawStart) {
    if (outLength == 0) {
      outRaw = rawStart;
    }
    out[outLength++] = (byte) value;
    if (runChars >= minRun) {
      committed = outLength;
      if (outLength >= OUT) {
        flush();
      }
    }
  }

  /** Sends the committed bytes on, keeping the current short run's (fewer than 256). */
  private void flush() {
    if (committed > 0) {
      sink.accept(out, 0, committed, outRaw);
      System.arraycopy(out, committed, out, 0, outLength - committed);
      outLength -= committed;
      committed = 0;
    }
  }

  @Override
  public void end() {
    if (runChars > 0) {
      closeRun(outRaw);
    }
    flush();
    sink.end();
  }

  @Override
  public String failure() {
    return null;
  }
}
