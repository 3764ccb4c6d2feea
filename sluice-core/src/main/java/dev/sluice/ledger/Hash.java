package dev.sluice.ledger;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/** An immutable 32-byte SHA-256 value: a leaf hash, a tree node or a root. Thread-safe. */
public final class Hash {

  /** Length of every hash in bytes. */
  public static final int SIZE = 32;

  private final byte[] bytes;

  private Hash(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Copies 32 bytes; throws if {@code bytes} has any other length. */
  public static Hash of(byte[] bytes) {
    if (bytes.length != SIZE) {
      throw new IllegalArgumentException("a hash is " + SIZE + " bytes, got " + bytes.length);
    }
    return new Hash(bytes.clone());
  }

  /** Copies the 32 bytes at {@code offset}. */
  public static Hash of(byte[] bytes, int offset) {
    return new Hash(Arrays.copyOfRange(bytes, offset, offset + SIZE));
  }

  /** Parses standard base64 (RFC 4648 section 4) of exactly 32 bytes, canonically encoded. */
  public static Hash fromBase64(String b64) {
    byte[] b;
    try {
      b = Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not base64: " + b64, e);
    }
    Hash h = of(b);
    if (!h.base64().equals(b64)) {
      throw new IllegalArgumentException("not canonical base64: " + b64);
    }
    return h;
  }

  /** Parses 64 lower- or upper-case hex digits. */
  public static Hash fromHex(String hex) {
    return of(HexFormat.of().parseHex(hex));
  }

  /** A copy of the 32 bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Copies the 32 bytes into {@code dst} at {@code offset}. */
  public void copyTo(byte[] dst, int offset) {
    System.arraycopy(bytes, 0, dst, offset, SIZE);
  }

  public String base64() {
    return Base64.getEncoder().encodeToString(bytes);
  }

  public String hex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hash h && Arrays.equals(h.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return hex();
  }
}
