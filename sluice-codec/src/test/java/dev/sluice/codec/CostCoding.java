package dev.sluice.codec;

/** Adds up the ideal code length of the bits, by category (see PieceCoder's marks). */
final class CostCoding extends BitCoding {
  static final String[] NAMES = {
    "flags",
    "envelope before content",
    "escape",
    "text",
    "boundary",
    "envelope after content",
    "event without content"
  };
  final double[] bits = new double[NAMES.length];
  private int category;

  @Override
  void mark(int c) {
    category = c;
  }

  @Override
  int code(int bit, int p1) {
    double p = p1 / 4096.0;
    bits[category] -= Math.log(bit != 0 ? p : 1 - p) / Math.log(2);
    return bit;
  }

  @Override
  boolean decoding() {
    return false;
  }
}
