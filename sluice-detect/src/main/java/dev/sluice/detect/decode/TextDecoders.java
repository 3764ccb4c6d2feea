package dev.sluice.detect.decode;

import java.util.Objects;

/**
 * The three text decodings a scan runs side by side, {@link Base64Decoder} and {@link HexDecoder}
 * at both nibble phases, behind one pass that looks for long runs ({@link LongRuns}: eight bytes at
 * a time, byte by byte only near long stretches of one alphabet); a piece in which no run reaches
 * minRun characters (the common case: text, binary, compressed data) is given to the decoders only
 * to remember the run at its end. A piece with a long run, or arriving while a run is being
 * decoded, goes to each decoder in full; pieces are first cut into sub-pieces of {@link #SUB_PIECE}
 * bytes, so one long run costs that pass over the sub-pieces it touches only. So the bytes are read
 * once, not three times, where there is nothing to decode.
 */
public final class TextDecoders implements Decoder {

  private final Base64Decoder base64;
  private final HexDecoder hex;
  private final HexDecoder hexOdd;
  private final LongRuns longRuns;

  /**
   * Bytes looked at together: a piece holding a long run goes to the decoders in full, so a piece
   * is cut into sub-pieces of this size first (4 KiB: the per-call cost is a few dozen bytes'
   * worth).
   */
  static final int SUB_PIECE = 4096;

  /**
   * @param minRun a power of two: runs shorter than this are not decoded
   */
  public TextDecoders(ByteSink base64, ByteSink hex, ByteSink hexOdd, int minRun) {
    if (Integer.bitCount(minRun) != 1) {
      throw new IllegalArgumentException("minRun must be a power of two, got " + minRun);
    }
    this.base64 = new Base64Decoder(Objects.requireNonNull(base64, "base64"), minRun);
    this.hex = new HexDecoder(Objects.requireNonNull(hex, "hex"), 0, minRun);
    this.hexOdd = new HexDecoder(Objects.requireNonNull(hexOdd, "hexOdd"), 1, minRun);
    this.longRuns = new LongRuns(this.base64.step(), this.hex.step(), minRun);
  }

  @Override
  public void accept(byte[] b, int off, int len, long rawStart) {
    // in sub-pieces, so that a long run costs the decoders' byte-by-byte pass over the sub-pieces
    // it touches, not over the whole piece (the decoders' output does not depend on how their
    // input is cut; every sub-piece carries the piece's rawStart, the same lower bound as before)
    int end = off + len;
    for (int i = off; i < end; i += SUB_PIECE) {
      acceptSub(b, i, Math.min(SUB_PIECE, end - i), rawStart);
    }
  }

  private void acceptSub(byte[] b, int off, int len, long rawStart) {
    if (!base64.decoding()
        && !hex.decoding()
        && !hexOdd.decoding()
        && !longRuns.in(b, off, len, base64.runChars(), hex.runChars())) {
      base64.skipShortRuns(b, off, len, rawStart);
      hex.skipShortRuns(b, off, len, rawStart);
      hexOdd.skipShortRuns(b, off, len, rawStart);
      return;
    }
    base64.accept(b, off, len, rawStart);
    hex.accept(b, off, len, rawStart);
    hexOdd.accept(b, off, len, rawStart);
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
