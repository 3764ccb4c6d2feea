package dev.sluice.codec;

import com.github.luben.zstd.Zstd;
import java.util.Arrays;
import java.util.Objects;

/**
 * Restores what a {@link StreamEncoder} with the same model compressed: give it the segments in
 * order, each whole. A segment it cannot accept throws {@link CodecFormatException} naming the
 * offset in the segment; the decoder is unusable after that, and nothing of that segment was
 * returned. A segment never decodes to more than {@link StreamEncoder#MAX_SEGMENT_INPUT} bytes, so
 * a corrupt segment cannot make it allocate more. Not thread-safe.
 */
public final class StreamDecoder {

  private final CodecModel model;
  private final ArithmeticDecoder arith = new ArithmeticDecoder();
  private final ArithmeticEncoder replay = new ArithmeticEncoder(null);
  private final SseEvents mirror;
  private PieceCoder coder;
  private boolean failed;
  private long rawBytes;

  /** Piece ends of the segment being replayed, from the mirror splitter. */
  private int[] ends = new int[64];

  private int endCount;
  private int fed;

  public StreamDecoder(CodecModel model) {
    this.model = Objects.requireNonNull(model, "model");
    this.mirror =
        new SseEvents(
            (kind, b, off, len) -> {
              fed += len;
              if (endCount == ends.length) {
                ends = Arrays.copyOf(ends, endCount * 2);
              }
              ends[endCount++] = fed;
            },
            PieceCoder.MAX_PIECE);
  }

  /** Decodes one whole segment and returns the bytes it stands for. */
  public byte[] decode(byte[] seg, int off, int len) throws CodecFormatException {
    Objects.checkFromIndexSize(off, len, seg.length);
    if (failed) {
      throw new CodecFormatException(0, "the decoder already rejected an earlier segment");
    }
    failed = true;
    Cursor in = new Cursor(seg, off, off + len);
    long n = in.varint("input length");
    if (n < 1 || n > StreamEncoder.MAX_SEGMENT_INPUT) {
      throw new CodecFormatException(
          0, "input length " + n + " out of 1.." + StreamEncoder.MAX_SEGMENT_INPUT);
    }
    int total = (int) n;
    int kindAt = in.pos - off;
    int kind = in.u8("segment kind");
    byte[] out = new byte[total];
    if (kind == Segment.STORED_SEGMENT) {
      if (in.end - in.pos != total) {
        throw new CodecFormatException(
            kindAt, "stored segment of " + total + " bytes holds " + (in.end - in.pos));
      }
      System.arraycopy(seg, in.pos, out, 0, total);
      split(out);
      replay(out);
    } else if (kind == Segment.BLOCKS) {
      blocks(in, out, total);
      split(out);
    } else {
      throw new CodecFormatException(kindAt, "unknown segment kind " + kind);
    }
    failed = false;
    rawBytes += total;
    return out;
  }

  /** Bytes decoded so far. */
  public long rawBytes() {
    return rawBytes;
  }

  private void blocks(Cursor in, byte[] out, int total) throws CodecFormatException {
    Sink sink = new Sink(out);
    while (in.pos < in.end) {
      int at = in.pos - in.off;
      int typeByte = in.u8("block type");
      int type = typeByte & ~Segment.LAST;
      boolean last = (typeByte & Segment.LAST) != 0;
      long bl = last ? total - sink.n : in.varint("block input length");
      if (bl < 1 || bl > total - sink.n) {
        throw new CodecFormatException(
            at + 1,
            "block input length "
                + bl
                + " exceeds the "
                + (total - sink.n)
                + " bytes left in the segment");
      }
      int blockLen = (int) bl;
      sink.limit = sink.n + blockLen;
      switch (type) {
        case Segment.CM -> {
          long pieces = in.varint("piece count");
          long cl = last ? in.end - in.pos : in.varint("code length");
          if (pieces < 1 || pieces > blockLen || cl > in.end - in.pos) {
            throw new CodecFormatException(
                at, "CM block with " + pieces + " pieces and " + cl + " code bytes does not fit");
          }
          int codeAt = in.pos;
          if (coder == null) {
            coder = new PieceCoder(model);
          }
          arith.start(in.b, in.pos, (int) cl);
          try {
            for (long p = 0; p < pieces; p++) {
              coder.code(arith, null, 0, 0, -1, -1, sink);
            }
          } catch (CodecFormatException e) {
            throw new CodecFormatException(
                codeAt - in.off, "CM block does not decode: " + e.getMessage());
          } catch (RuntimeException e) {
            throw new CodecFormatException(codeAt - in.off, "CM block does not decode: " + e);
          }
          if (coder.pending()) {
            throw new CodecFormatException(
                codeAt - in.off, "CM block ends inside a chunk boundary");
          }
          in.pos += (int) cl;
        }
        case Segment.ZSTD -> {
          long zl = last ? in.end - in.pos : in.varint("zstd length");
          if (zl < 1 || zl > in.end - in.pos) {
            throw new CodecFormatException(at, "zstd block of " + zl + " bytes does not fit");
          }
          byte[] z = Arrays.copyOfRange(in.b, in.pos, in.pos + (int) zl);
          byte[] d;
          try {
            d =
                model.dictDecompress() != null
                    ? Zstd.decompress(z, model.dictDecompress(), blockLen)
                    : Zstd.decompress(z, blockLen);
          } catch (RuntimeException e) {
            throw new CodecFormatException(
                in.pos - in.off, "zstd block does not decompress: " + e.getMessage());
          }
          if (d.length != blockLen) {
            throw new CodecFormatException(
                in.pos - in.off,
                "zstd block decompresses to " + d.length + " bytes, expected " + blockLen);
          }
          sink.write(d, 0, d.length);
          in.pos += (int) zl;
        }
        case Segment.STORED -> {
          if (blockLen > in.end - in.pos) {
            throw new CodecFormatException(
                at, "stored block of " + blockLen + " bytes does not fit");
          }
          sink.write(in.b, in.pos, blockLen);
          in.pos += blockLen;
        }
        default -> throw new CodecFormatException(at, "unknown block type " + type);
      }
      if (last && in.pos != in.end) {
        throw new CodecFormatException(
            in.pos - in.off, (in.end - in.pos) + " bytes after the last block");
      }
      if (sink.n != sink.limit) {
        throw new CodecFormatException(
            at,
            "block decodes to "
                + (sink.n - (sink.limit - blockLen))
                + " bytes, its header says "
                + blockLen);
      }
    }
    if (sink.n != total) {
      throw new CodecFormatException(
          in.end - in.off, "segment decodes to " + sink.n + " bytes, its header says " + total);
    }
  }

  /** Cuts the segment's bytes into pieces exactly as the encoder's splitter did. */
  private void split(byte[] out) {
    endCount = 0;
    fed = 0;
    mirror.feed(out, 0, out.length);
    mirror.drain();
  }

  /** Runs the codable pieces of a stored segment through the models, as the encoder did. */
  private void replay(byte[] out) throws CodecFormatException {
    long[] contents = StreamEncoder.contents(out, ends, endCount);
    int i = 0;
    while (i < endCount) {
      int j = i;
      boolean cm = codable(out, i, contents);
      while (j < endCount && codable(out, j, contents) == cm) {
        j++;
      }
      if (cm) {
        if (coder == null) {
          coder = new PieceCoder(model);
        }
        StreamEncoder.codePieces(coder, replay, out, ends, contents, i, j);
      }
      i = j;
    }
  }

  private boolean codable(byte[] out, int i, long[] contents) {
    int s = i == 0 ? 0 : ends[i - 1];
    return StreamEncoder.codable(out, s, ends[i] - s, contents[i]);
  }

  private static final class Sink implements PieceCoder.Out {
    final byte[] out;
    int n;
    int limit;

    Sink(byte[] out) {
      this.out = out;
    }

    @Override
    public void write(byte[] b, int off, int len) throws CodecFormatException {
      if (len > limit - n) {
        throw new CodecFormatException(-1, "decodes past the block's length");
      }
      System.arraycopy(b, off, out, n, len);
      n += len;
    }

    @Override
    public void write(int b) throws CodecFormatException {
      if (n >= limit) {
        throw new CodecFormatException(-1, "decodes past the block's length");
      }
      out[n++] = (byte) b;
    }
  }

  private static final class Cursor {
    final byte[] b;
    final int off;
    final int end;
    int pos;

    Cursor(byte[] b, int off, int end) {
      this.b = b;
      this.off = off;
      this.end = end;
      this.pos = off;
    }

    int u8(String what) throws CodecFormatException {
      if (pos >= end) {
        throw new CodecFormatException(pos - off, "truncated: no " + what);
      }
      return b[pos++] & 0xFF;
    }

    long varint(String what) throws CodecFormatException {
      int at = pos;
      long v = 0;
      for (int shift = 0; shift < 63; shift += 7) {
        if (pos >= end) {
          throw new CodecFormatException(at - off, "truncated " + what);
        }
        int x = b[pos++] & 0xFF;
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
      throw new CodecFormatException(at - off, "bad varint " + what);
    }
  }
}
