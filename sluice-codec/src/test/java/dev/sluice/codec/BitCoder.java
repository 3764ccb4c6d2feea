package dev.sluice.codec;

import java.io.ByteArrayOutputStream;

/**
 * A binary arithmetic encoder (the carry-less 32-bit coder of lpaq) with adaptive bit models, for
 * measuring what structured parts of a stream cost. Test code: encoder only, sizes only.
 */
final class BitCoder {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private long x1;
  private long x2 = 0xFFFF_FFFFL;

  /** An adaptive probability that the next bit is 1: fast at first, then a slow average. */
  static final class Bit {
    int p = 1 << 15; // of 65536
    int n;

    void update(int bit) {
      int limit = 60;
      if (n < limit) {
        n++;
      }
      int target = bit == 1 ? 65535 : 0;
      p += (target - p) / (n + 1);
      if (p < 32) {
        p = 32;
      } else if (p > 65535 - 32) {
        p = 65535 - 32;
      }
    }
  }

  void encode(int bit, Bit m) {
    int p12 = Math.max(1, Math.min(4095, m.p >>> 4));
    long xmid = x1 + ((x2 - x1) >>> 12) * p12;
    if (bit == 1) {
      x2 = xmid;
    } else {
      x1 = xmid + 1;
    }
    m.update(bit);
    while (((x1 ^ x2) & 0xFF00_0000L) == 0) {
      out.write((int) (x2 >>> 24));
      x1 = (x1 << 8) & 0xFFFF_FFFFL;
      x2 = ((x2 << 8) & 0xFFFF_FFFFL) | 0xFF;
    }
  }

  /** Ends the code: the bytes written so far plus what the decoder needs to finish. */
  int finish() {
    out.write((int) (x1 >>> 24));
    out.write((int) (x1 >>> 16));
    return out.size();
  }

  /** 256-way model of one byte as a binary tree of bit models. */
  static final class ByteModel {
    final Bit[] bits = new Bit[256];

    ByteModel() {
      for (int i = 0; i < 256; i++) {
        bits[i] = new Bit();
      }
    }

    void encode(BitCoder c, int value) {
      int ctx = 1;
      for (int i = 7; i >= 0; i--) {
        int bit = (value >>> i) & 1;
        c.encode(bit, bits[ctx]);
        ctx = ctx << 1 | bit;
      }
    }
  }

  /** A non-negative number as Elias gamma with adaptive bits per position. */
  static final class NumberModel {
    final Bit[] unary = new Bit[33];
    final Bit[][] rest = new Bit[33][33];

    NumberModel() {
      for (int i = 0; i < 33; i++) {
        unary[i] = new Bit();
        for (int j = 0; j < 33; j++) {
          rest[i][j] = new Bit();
        }
      }
    }

    void encode(BitCoder c, long value) {
      long v = value + 1;
      int bits = 63 - Long.numberOfLeadingZeros(v);
      for (int i = 0; i < bits; i++) {
        c.encode(1, unary[Math.min(i, 32)]);
      }
      c.encode(0, unary[Math.min(bits, 32)]);
      for (int i = bits - 1; i >= 0; i--) {
        c.encode((int) (v >>> i) & 1, rest[Math.min(bits, 32)][Math.min(i, 32)]);
      }
    }
  }
}
