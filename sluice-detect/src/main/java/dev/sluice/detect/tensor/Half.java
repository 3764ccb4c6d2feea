package dev.sluice.detect.tensor;

/** IEEE 754 half precision (fp16) to float, exact (Java 17 has no Float.float16ToFloat). */
final class Half {
  private Half() {}

  /** The float value of the fp16 bits in the low 16 bits of {@code h}. */
  static float toFloat(int h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | mant << 13);
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | (exp + 112) << 23 | mant << 13);
  }
}
