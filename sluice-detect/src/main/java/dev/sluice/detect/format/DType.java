package dev.sluice.detect.format;

/**
 * The element type of a tensor as its file declares it. {@link #UNKNOWN} is used for raw files and
 * for types this package does not name; the statistical detector reports only the float types.
 */
public enum DType {
  F64(8),
  F32(4),
  F16(2),
  BF16(2),
  F8(1),
  I64(8),
  I32(4),
  I16(2),
  I8(1),
  U8(1),
  /** Packed sub-byte or block-quantized types (int4, GGUF Q4_0 ...): no fixed element width. */
  QUANTIZED(0),
  BOOL(1),
  UNKNOWN(0);

  private final int width;

  DType(int width) {
    this.width = width;
  }

  /** Bytes per element, 0 when the type has no fixed width. */
  public int width() {
    return width;
  }

  /** True for the float types the statistical detector recognises (fp32, fp16, bf16). */
  public boolean isDetectableFloat() {
    return this == F32 || this == F16 || this == BF16;
  }
}
