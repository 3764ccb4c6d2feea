package dev.sluice.detect.format;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one tensor's bytes lie: {@code length} bytes at {@code offset} of {@code file} (a weight
 * file, or the external-data file an ONNX model points to), holding elements of {@code dtype}.
 * Headers, metadata and padding are never part of a region: the fingerprint index and the detector
 * measure tensor bytes only.
 *
 * @param file the file holding the bytes
 * @param name the tensor's name in its file (the file name for raw files)
 * @param offset first byte, from the start of {@code file}
 * @param length number of bytes, at least 1
 * @param dtype element type as declared by the file
 */
public record TensorRegion(Path file, String name, long offset, long length, DType dtype) {

  public TensorRegion {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    if (offset < 0 || length <= 0 || offset > Long.MAX_VALUE - length) {
      throw new IllegalArgumentException(
          "tensor " + name + ": bad region offset=" + offset + " length=" + length);
    }
  }

  /** One past the last byte. */
  public long end() {
    return offset + length;
  }
}
