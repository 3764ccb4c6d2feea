package dev.sluice.codec;

import java.util.Objects;

/**
 * Restores what a {@link StreamEncoder} with the same model compressed: give it the segments in
 * order, each whole. A segment it cannot accept throws {@link CodecFormatException} naming the
 * offset in the segment; the decoder is unusable after that, and nothing of that segment was
 * returned. A segment never decodes to more than {@link StreamEncoder#MAX_SEGMENT_INPUT} bytes. Not
 * thread-safe.
 */
public final class StreamDecoder {

  private final LinkDecoder link;
  private long rawBytes;
  private boolean failed;

  public StreamDecoder(CodecModel model) {
    this.link = new LinkDecoder(Objects.requireNonNull(model, "model"));
    link.open(0);
  }

  /** Decodes one whole segment and returns the bytes it stands for. */
  public byte[] decode(byte[] seg, int off, int len) throws CodecFormatException {
    Objects.checkFromIndexSize(off, len, seg.length);
    ByteBuf out = new ByteBuf(len * 4 + 16);
    int pos = off;
    int end = off + len;
    if (failed) {
      throw new CodecFormatException(0, "the decoder already rejected an earlier segment");
    }
    failed = true;
    if (len == 0) {
      throw new CodecFormatException(0, "an empty segment");
    }
    while (pos < end) {
      int at = pos - off;
      long n = 0;
      int shift = 0;
      while (true) {
        if (pos >= end || shift > 28) {
          throw new CodecFormatException(at, "a bad frame length");
        }
        int x = seg[pos++] & 0xFF;
        n |= (long) (x & 0x7F) << shift;
        shift += 7;
        if ((x & 0x80) == 0) {
          break;
        }
      }
      if (n < 1 || n > end - pos) {
        throw new CodecFormatException(at, "a frame of " + n + " bytes does not fit the segment");
      }
      int frameAt = pos - off;
      try {
        link.decode(
            seg,
            pos,
            (int) n,
            (id, b, o, l) -> {
              if (out.n + l > StreamEncoder.MAX_SEGMENT_INPUT) {
                throw new IllegalStateException("overflow");
              }
              out.put(b, o, l);
            });
      } catch (CodecFormatException e) {
        throw new CodecFormatException(frameAt + Math.max(0, e.offset()), e.detail());
      } catch (IllegalStateException e) {
        throw new CodecFormatException(
            frameAt,
            "a segment decodes to more than " + StreamEncoder.MAX_SEGMENT_INPUT + " bytes");
      }
      pos += (int) n;
    }
    failed = false;
    rawBytes += out.n;
    return out.toArray();
  }

  /** Bytes decoded so far. */
  public long rawBytes() {
    return rawBytes;
  }
}
