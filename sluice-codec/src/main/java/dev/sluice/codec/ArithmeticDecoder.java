package dev.sluice.codec;

/** Decodes what {@link ArithmeticEncoder} wrote; reads zeros past the end of the block. */
final class ArithmeticDecoder extends BitCoding {
  private byte[] in;
  private int pos;
  private int end;
  private int x1;
  private int x2 = -1;
  private int x;

  void start(byte[] buf, int off, int len) {
    in = buf;
    pos = off;
    end = off + len;
    x1 = 0;
    x2 = -1;
    x = 0;
    for (int i = 0; i < 4; i++) {
      x = (x << 8) | next();
    }
  }

  private int next() {
    return pos < end ? in[pos++] & 0xFF : 0;
  }

  /** Bytes of the block read so far (past the end counts as the end). */
  int consumed(int off) {
    return pos - off;
  }

  @Override
  int code(int bit, int p1) {
    int xmid = x1 + (int) (((x2 - x1) & 0xFFFF_FFFFL) >>> 12) * p1;
    int y = Integer.compareUnsigned(x, xmid) <= 0 ? 1 : 0;
    if (y != 0) {
      x2 = xmid;
    } else {
      x1 = xmid + 1;
    }
    while (((x1 ^ x2) & 0xFF00_0000) == 0) {
      x1 <<= 8;
      x2 = (x2 << 8) | 255;
      x = (x << 8) | next();
    }
    return y;
  }

  @Override
  boolean decoding() {
    return true;
  }
}
