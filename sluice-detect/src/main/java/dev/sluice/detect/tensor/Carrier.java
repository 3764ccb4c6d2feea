package dev.sluice.detect.tensor;

/** How the tensor bytes a {@link TensorFinding} reports were carried in the scanned bytes. */
public enum Carrier {
  /** The bytes themselves. */
  RAW,
  /** Base64 text (standard or URL-safe alphabet, padding and line breaks allowed). */
  BASE64,
  /** Hexadecimal text, two digits a byte, either case. */
  HEX
}
