package dev.sluice.detect.tensor;

import dev.sluice.detect.format.DType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A float type and where its elements' high (sign and exponent) bytes lie: at the stream positions
 * congruent to {@code highLane} modulo the type's width. Little-endian, so an element's high byte
 * is its last: elements start at {@code highLane - width + 1} modulo the width.
 *
 * @param dtype {@link DType#F32}, {@link DType#F16} or {@link DType#BF16}
 * @param highLane 0..3 for fp32, 0..1 for the 2-byte types
 */
record FloatLayout(DType dtype, int highLane) {

  /** Little-endian int view of a byte array (one load for fp32). */
  static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  FloatLayout {
    if (!dtype.isDetectableFloat() || highLane < 0 || highLane >= dtype.width()) {
      throw new IllegalArgumentException(dtype + " high lane " + highLane);
    }
  }

  int width() {
    return dtype.width();
  }

  /** Index in a byte range starting at stream position {@code position} of its first element. */
  int firstElement(long position) {
    int w = width();
    int start = Math.floorMod(highLane - w + 1, w);
    return Math.floorMod(start - (int) Math.floorMod(position, (long) w), w);
  }

  /** The element at byte {@code i} (its first byte), little-endian, as a float. */
  float valueAt(byte[] b, int i) {
    switch (dtype) {
      case F32:
        return Float.intBitsToFloat((int) INT_LE.get(b, i));
      case BF16:
        return Float.intBitsToFloat((b[i] & 0xff) << 16 | b[i + 1] << 24);
      default:
        return Half.toFloat((b[i] & 0xff) | (b[i + 1] & 0xff) << 8);
    }
  }
}
