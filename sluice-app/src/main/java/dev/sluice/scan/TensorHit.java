package dev.sluice.scan;

import dev.sluice.detect.format.DType;
import dev.sluice.detect.tensor.Carrier;

/**
 * A region the tensor detector believes holds float weights.
 *
 * @param lane {@code raw} for the file's bytes, or the decoding they were found in ({@code gzip},
 *     {@code zstd})
 * @param offset first byte of the region on that lane (of the encoded text for base64/hex)
 * @param length bytes of the region on that lane
 * @param dtype the float type the byte statistics point to
 * @param carrier how the tensor bytes were carried on the lane (raw, base64, hex)
 */
public record TensorHit(String lane, long offset, long length, DType dtype, Carrier carrier) {

  /** One past the last byte. */
  public long end() {
    return offset + length;
  }
}
