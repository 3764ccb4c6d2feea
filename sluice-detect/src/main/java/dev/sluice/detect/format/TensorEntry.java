package dev.sluice.detect.format;

import java.util.List;
import java.util.Objects;

/**
 * A tensor as a reader found it: where its bytes are ({@link TensorRegion}) and the shape its file
 * declares.
 *
 * @param region where the bytes lie
 * @param shape dimensions, outermost first (empty for a scalar); {@code null} when the format does
 *     not say (raw files, PyTorch storages)
 */
public record TensorEntry(TensorRegion region, List<Long> shape) {

  public TensorEntry {
    Objects.requireNonNull(region, "region");
    shape = shape == null ? null : List.copyOf(shape);
  }

  /** A tensor whose shape its file does not declare. */
  public static TensorEntry unshaped(TensorRegion region) {
    return new TensorEntry(region, null);
  }

  /** The number of elements, or -1 when the shape is unknown, negative or its product overflows. */
  public long elements() {
    return elements(shape);
  }

  /** The product of {@code shape} (1 for a scalar), or -1 when null, negative or overflowing. */
  public static long elements(List<Long> shape) {
    if (shape == null) {
      return -1;
    }
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        return -1;
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        return -1;
      }
    }
    return n;
  }
}
