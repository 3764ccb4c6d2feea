package dev.sluice.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds line ends in a stream's input, eight bytes at a time (the units of {@link SectionPlan}).
 */
final class LineBreaks {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101_0101_0101_0101L;
  private static final long HIGHS = 0x8080_8080_8080_8080L;

  private LineBreaks() {}

  /**
   * The index of the first {@code \n} or {@code \r} in {@code b[from, end)}, or {@code end}: eight
   * bytes at a time (a byte equal to c makes {@code (v ^ c) - 1} borrow into its high bit; the
   * lowest flagged byte is always a true match).
   */
  static int find(byte[] b, int from, int end) {
    int j = from;
    for (; j + 8 <= end; j += 8) {
      long v = (long) LONGS.get(b, j);
      long lf = v ^ (ONES * '\n');
      long cr = v ^ (ONES * '\r');
      long t = (((lf - ONES) & ~lf) | ((cr - ONES) & ~cr)) & HIGHS;
      if (t != 0) {
        return j + (Long.numberOfTrailingZeros(t) >>> 3);
      }
    }
    while (j < end && b[j] != '\n' && b[j] != '\r') {
      j++;
    }
    return j;
  }
}
