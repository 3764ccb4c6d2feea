package dev.sluice.detect.fingerprint;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One weight file an index was built from: its name as given to {@code sluice fingerprint index},
 * its size and SHA-256 when indexed, and how many tensors and tensor bytes were fingerprinted.
 */
public record SourceFile(String name, long size, byte[] sha256, long tensors, long tensorBytes) {

  public SourceFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sha256, "sha256");
    if (sha256.length != 32) {
      throw new IllegalArgumentException("sha256 must be 32 bytes, got " + sha256.length);
    }
    if (size < 0 || tensors < 0 || tensorBytes < 0 || tensorBytes > size) {
      throw new IllegalArgumentException(
          "file "
              + name
              + ": size="
              + size
              + " tensors="
              + tensors
              + " tensorBytes="
              + tensorBytes);
    }
    sha256 = sha256.clone();
  }

  @Override
  public byte[] sha256() {
    return sha256.clone();
  }

  public String sha256Hex() {
    return HexFormat.of().formatHex(sha256);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceFile f
        && f.name.equals(name)
        && f.size == size
        && Arrays.equals(f.sha256, sha256)
        && f.tensors == tensors
        && f.tensorBytes == tensorBytes;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, size, Arrays.hashCode(sha256), tensors, tensorBytes);
  }

  @Override
  public String toString() {
    return "SourceFile[" + name + ", " + size + " bytes, sha256 " + sha256Hex() + "]";
  }
}
