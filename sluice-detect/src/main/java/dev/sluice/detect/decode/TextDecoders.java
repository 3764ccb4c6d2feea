package dev.sluice.detect.decode;

import java.util.Objects;

/**
 * The three text decodings a scan runs side by side, {@link Base64Decoder} and {@link HexDecoder}
 * at both nibble phases, behind one pass that finds where a run first becomes long ({@link
 * LongRuns}: sixteen bytes at a time, byte by byte only near long stretches of one alphabet). The
 * bytes before that point (all of a piece in which no run reaches minRun characters: text, binary,
 * compressed data) are given to the decoders only to remember the run at their end; from that point
 * the decoders read every byte, in stretches of {@link #FIRST_STRETCH} bytes doubling up to {@link
 * #MAX_STRETCH} while a run is being decoded, and once none is, the look-out takes over again. So
 * the bytes are read once, not three times, where there is nothing to decode, and a run costs the
 * decoders' byte-by-byte pass over about its own length. The decoders' output does not depend on
 * how their input is cut, and every stretch carries its piece's {@code rawStart}, so each sink gets
 * the bytes its decoder fed the whole pieces would send, each with the same or a later (still
 * lower-bound) {@code rawStart}.
 */
public final class TextDecoders implements Decoder {

  /** Bytes the decoders read first from where a run becomes long (most runs are shorter). */
  static final int FIRST_STRETCH = 256;

  /** At most this many bytes at a time while a run goes on (the per-call cost then negligible). */
  static final int MAX_STRETCH = 8192;

  private final Base64Decoder base64;
  private final HexDecoder hex;
  private final HexDecoder hexOdd;
  private final LongRuns longRuns;
  private int stretch = FIRST_STRETCH;

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
    int i = off;
    int end = off + len;
    while (i < end) {
      if (!base64.decoding() && !hex.decoding() && !hexOdd.decoding()) {
        stretch = FIRST_STRETCH;
        // both hex decoders keep the same run lengths (one table): hex's stand for hexOdd's
        int at = longRuns.find(b, i, end - i, base64.runChars(), hex.runChars());
        int shortUntil = at < 0 ? end : at;
        if (shortUntil > i) {
          base64.skipShortRuns(b, i, shortUntil - i, rawStart);
          hex.skipShortRuns(b, i, shortUntil - i, rawStart);
          hexOdd.skipShortRuns(b, i, shortUntil - i, rawStart);
        }
        if (at < 0) {
          return;
        }
        i = at;
      }
      int n = Math.min(stretch, end - i);
      base64.accept(b, i, n, rawStart);
      hex.accept(b, i, n, rawStart);
      hexOdd.accept(b, i, n, rawStart);
      stretch = Math.min(2 * stretch, MAX_STRETCH);
      i += n;
    }
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
