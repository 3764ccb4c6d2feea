package dev.sluice.detect.decode;

import java.util.Objects;

/**
 * The three text decodings a scan runs side by side, {@link Base64Decoder} and {@link HexDecoder}
 * at both nibble phases, behind one pass that looks for long runs: for each piece, the run lengths
 * of both alphabets are kept without a branch and tested together once per byte; a piece in which
 * no run reaches minRun characters (the common case: text, binary, compressed data) is given to the
 * decoders only to remember the run at its end. A piece with a long run, or arriving while a run is
 * being decoded, goes to each decoder in full. So the bytes are read once, not three times, when
 * there is nothing to decode.
 */
public final class TextDecoders implements Decoder {

  private final Base64Decoder base64;
  private final HexDecoder hex;
  private final HexDecoder hexOdd;
  private final int minRun;

  /**
   * @param minRun a power of two: runs shorter than this are not decoded
   */
  public TextDecoders(ByteSink base64, ByteSink hex, ByteSink hexOdd, int minRun) {
    if (Integer.bitCount(minRun) != 1) {
      throw new IllegalArgumentException("minRun must be a power of two, got " + minRun);
    }
    this.minRun = minRun;
    this.base64 = new Base64Decoder(Objects.requireNonNull(base64, "base64"), minRun);
    this.hex = new HexDecoder(Objects.requireNonNull(hex, "hex"), 0, minRun);
    this.hexOdd = new HexDecoder(Objects.requireNonNull(hexOdd, "hexOdd"), 1, minRun);
  }

  @Override
  public void accept(byte[] b, int off, int len, long rawStart) {
    if (!base64.decoding() && !hex.decoding() && !hexOdd.decoding() && !hasLongRun(b, off, len)) {
      base64.skipShortRuns(b, off, len, rawStart);
      hex.skipShortRuns(b, off, len, rawStart);
      hexOdd.skipShortRuns(b, off, len, rawStart);
      return;
    }
    base64.accept(b, off, len, rawStart);
    hex.accept(b, off, len, rawStart);
    hexOdd.accept(b, off, len, rawStart);
  }

  /** True when a base64 or hex run reaches minRun characters in this piece. */
  private boolean hasLongRun(byte[] b, int off, int len) {
    byte[] s64 = base64.step();
    byte[] s16 = hex.step();
    int a = base64.runChars();
    int h = hex.runChars();
    int over = ~(minRun - 1);
    for (int i = off, end = off + len; i < end; i++) {
      int c = b[i] & 0xFF;
      int x = s64[c];
      int y = s16[c];
      a = (a & (x >> 1)) + (x & 1);
      h = (h & (y >> 1)) + (y & 1);
      if (((a | h) & over) != 0) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void end() {
    base64.end();
    hex.end();
    hexOdd.end();
  }

  @Override
  public String failure() {
    return null;
  }
}
