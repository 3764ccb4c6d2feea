package dev.sluice.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * Restores what a {@link StreamEncoder} with the same model compressed: give it the segments in
 * order, each whole. A segment it cannot accept throws {@link CodecFormatException} naming the
 * offset; the decoder is unusable after that. A segment never decodes to more than {@link
 * StreamEncoder#MAX_SEGMENT_INPUT} bytes, so a corrupt segment cannot make it allocate more. Not
 * thread-safe.
 *
 * <p>INTERIM: reads stored segments; the real codec is being written (issue 7). The API is final.
 */
public final class StreamDecoder {

  private final CodecModel model;
  private boolean failed;
  private long rawBytes;

  public StreamDecoder(CodecModel model) {
    this.model = Objects.requireNonNull(model, "model");
  }

  /** Decodes one whole segment and returns the bytes it stands for. */
  public byte[] decode(byte[] seg, int off, int len) throws CodecFormatException {
    Objects.checkFromIndexSize(off, len, seg.length);
    if (failed) {
      throw new CodecFormatException(0, "the decoder already rejected an earlier segment");
    }
    failed = true;
    int[] pos = {off};
    long n = Varint.read(seg, pos, off + len);
    if (n < 1 || n > StreamEncoder.MAX_SEGMENT_INPUT) {
      throw new CodecFormatException(0, "bad input length " + n);
    }
    if (pos[0] >= off + len) {
      throw new CodecFormatException(pos[0] - off, "truncated: no mode byte");
    }
    int mode = seg[pos[0]++] & 0xff;
    if (mode != 0) {
      throw new CodecFormatException(pos[0] - 1 - off, "unknown mode " + mode);
    }
    if (off + len - pos[0] != n) {
      throw new CodecFormatException(
          len, "stored segment of " + n + " bytes has " + (off + len - pos[0]));
    }
    failed = false;
    rawBytes += n;
    return Arrays.copyOfRange(seg, pos[0], off + len);
  }

  /** Bytes decoded so far. */
  public long rawBytes() {
    return rawBytes;
  }

  CodecModel model() {
    return model;
  }
}
