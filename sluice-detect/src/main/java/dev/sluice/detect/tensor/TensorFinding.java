package dev.sluice.detect.tensor;

import dev.sluice.detect.format.DType;
import java.util.Objects;

/**
 * A region of scanned bytes that the {@link TensorDetector} believes holds float tensor data.
 *
 * @param offset first byte of the region in the scanned bytes (for {@link Carrier#BASE64} and
 *     {@link Carrier#HEX}, of the encoded text)
 * @param length bytes of the region as scanned (encoded text for the encoded carriers)
 * @param dtype the float type the byte statistics point to: {@link DType#F32}, {@link DType#F16} or
 *     {@link DType#BF16}
 * @param carrier how the tensor bytes were carried
 */
public record TensorFinding(long offset, long length, DType dtype, Carrier carrier) {

  public TensorFinding {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(carrier, "carrier");
    if (!dtype.isDetectableFloat()) {
      throw new IllegalArgumentException("not a detectable float type: " + dtype);
    }
    if (offset < 0 || length <= 0 || offset > Long.MAX_VALUE - length) {
      throw new IllegalArgumentException("bad finding offset=" + offset + " length=" + length);
    }
  }

  /** One past the last byte. */
  public long end() {
    return offset + length;
  }
}
