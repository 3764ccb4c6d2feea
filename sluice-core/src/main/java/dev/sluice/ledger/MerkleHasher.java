package dev.sluice.ledger;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The RFC 6962 hash functions: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right).
 * Writes into caller-owned arrays so the ledger writer hashes without allocating.
 *
 * <p>Not thread-safe: it owns one {@link MessageDigest}. Give each thread its own instance.
 */
final class MerkleHasher {

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private final MessageDigest sha = newSha256();

  /** Writes the leaf hash of {@code data[off, off+len)} into {@code out} at {@code outOff}. */
  void leaf(byte[] data, int off, int len, byte[] out, int outOff) {
    sha.update(LEAF_PREFIX);
    sha.update(data, off, len);
    finish(out, outOff);
  }

  /** Writes the hash of two child nodes into {@code out}; {@code out} may alias an input. */
  void node(byte[] left, int leftOff, byte[] right, int rightOff, byte[] out, int outOff) {
    sha.update(NODE_PREFIX);
    sha.update(left, leftOff, Hash.SIZE);
    sha.update(right, rightOff, Hash.SIZE);
    finish(out, outOff);
  }

  Hash leaf(byte[] data) {
    byte[] out = new byte[Hash.SIZE];
    leaf(data, 0, data.length, out, 0);
    return Hash.of(out);
  }

  Hash node(Hash left, Hash right) {
    byte[] buf = new byte[2 * Hash.SIZE];
    left.copyTo(buf, 0);
    right.copyTo(buf, Hash.SIZE);
    node(buf, 0, buf, Hash.SIZE, buf, 0);
    return Hash.of(buf, 0);
  }

  private void finish(byte[] out, int outOff) {
    try {
      sha.digest(out, outOff, Hash.SIZE);
    } catch (DigestException e) {
      throw new IllegalStateException("SHA-256 output does not fit", e);
    }
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }
}
