package dev.sluice.detect.format;

/**
 * The ggml tensor types a GGUF file may declare, with their block geometry: a block of {@code
 * blockElements} elements takes {@code blockBytes} bytes (1 and the element width for the plain
 * types). Numbers are ggml's {@code enum ggml_type}; the retired ones (4, 5, 31-33, 36-38) are
 * absent, so a file using them is refused rather than mis-sized.
 */
enum GgmlType {
  F32(0, 1, 4, DType.F32),
  F16(1, 1, 2, DType.F16),
  Q4_0(2, 32, 18, DType.QUANTIZED),
  Q4_1(3, 32, 20, DType.QUANTIZED),
  Q5_0(6, 32, 22, DType.QUANTIZED),
  Q5_1(7, 32, 24, DType.QUANTIZED),
  Q8_0(8, 32, 34, DType.QUANTIZED),
  Q8_1(9, 32, 36, DType.QUANTIZED),
  Q2_K(10, 256, 84, DType.QUANTIZED),
  Q3_K(11, 256, 110, DType.QUANTIZED),
  Q4_K(12, 256, 144, DType.QUANTIZED),
  Q5_K(13, 256, 176, DType.QUANTIZED),
  Q6_K(14, 256, 210, DType.QUANTIZED),
  Q8_K(15, 256, 292, DType.QUANTIZED),
  IQ2_XXS(16, 256, 66, DType.QUANTIZED),
  IQ2_XS(17, 256, 74, DType.QUANTIZED),
  IQ3_XXS(18, 256, 98, DType.QUANTIZED),
  IQ1_S(19, 256, 50, DType.QUANTIZED),
  IQ4_NL(20, 32, 18, DType.QUANTIZED),
  IQ3_S(21, 256, 110, DType.QUANTIZED),
  IQ2_S(22, 256, 82, DType.QUANTIZED),
  IQ4_XS(23, 256, 136, DType.QUANTIZED),
  I8(24, 1, 1, DType.I8),
  I16(25, 1, 2, DType.I16),
  I32(26, 1, 4, DType.I32),
  I64(27, 1, 8, DType.I64),
  F64(28, 1, 8, DType.F64),
  IQ1_M(29, 256, 56, DType.QUANTIZED),
  BF16(30, 1, 2, DType.BF16),
  TQ1_0(34, 256, 54, DType.QUANTIZED),
  TQ2_0(35, 256, 66, DType.QUANTIZED),
  MXFP4(39, 32, 17, DType.QUANTIZED);

  private static final GgmlType[] BY_ID = new GgmlType[64];

  static {
    for (GgmlType t : values()) {
      BY_ID[t.id] = t;
    }
  }

  final int id;
  final int blockElements;
  final int blockBytes;
  final DType dtype;

  GgmlType(int id, int blockElements, int blockBytes, DType dtype) {
    this.id = id;
    this.blockElements = blockElements;
    this.blockBytes = blockBytes;
    this.dtype = dtype;
  }

  /** The type numbered {@code id}, or null when ggml has none (or no longer has it). */
  static GgmlType of(long id) {
    return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
  }

  /**
   * Bytes of a tensor of {@code elements} elements whose innermost dimension is {@code ne0}: -1
   * when {@code ne0} is not a whole number of blocks or the size overflows.
   */
  long bytes(long ne0, long elements) {
    if (ne0 % blockElements != 0 || elements % blockElements != 0) {
      return -1;
    }
    long blocks = elements / blockElements;
    return blocks > Long.MAX_VALUE / blockBytes ? -1 : blocks * blockBytes;
  }
}
