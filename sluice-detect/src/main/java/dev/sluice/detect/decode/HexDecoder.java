package dev.sluice.detect.decode;

/**
 * Hexadecimal in the middle of anything: upper and lower case digits, whitespace (space, tab, CR,
 * LF) ignored inside a run, anything else ending it. {@code phase} 0 pairs a run's nibbles from its
 * first digit; phase 1 skips the first digit, for a run glued to a stray digit before it (the
 * matcher runs both). Runs shorter than {@code minRun} digits are dropped ({@link AlphabetRuns}).
 */
public final class HexDecoder extends AlphabetRuns {

  private static final byte[] TABLE = new byte[256];

  static {
    java.util.Arrays.fill(TABLE, BREAK);
    for (int i = 0; i < 10; i++) {
      TABLE['0' + i] = (byte) i;
    }
    for (int i = 0; i < 6; i++) {
      TABLE['a' + i] = (byte) (10 + i);
      TABLE['A' + i] = (byte) (10 + i);
    }
    TABLE[' '] = SKIP;
    TABLE['\t'] = SKIP;
    TABLE['\r'] = SKIP;
    TABLE['\n'] = SKIP;
  }

  private final int phase;
  private int skip;
  private boolean haveHigh;
  private int high;

  public HexDecoder(ByteSink sink, int phase, int minRun) {
    super(sink, minRun);
    if (phase != 0 && phase != 1) {
      throw new IllegalArgumentException("phase must be 0 or 1, got " + phase);
    }
    this.phase = phase;
    this.skip = phase;
  }

  @Override
  byte[] table() {
    return TABLE;
  }

  @Override
  void value(int v, long rawStart) {
    if (skip > 0) {
      skip--;
    } else if (!haveHigh) {
      high = v;
      haveHigh = true;
    } else {
      emit(high << 4 | v, rawStart);
      haveHigh = false;
    }
  }

  @Override
  void endRun(long rawStart) {
    skip = phase;
    haveHigh = false;
  }
}
