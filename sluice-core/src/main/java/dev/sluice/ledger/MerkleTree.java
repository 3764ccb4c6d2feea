package dev.sluice.ledger;

import java.util.List;

/**
 * RFC 6962 Merkle tree helpers over a list of leaf hashes held in memory: roots, inclusion proofs
 * (section 2.1.1) and consistency proofs (section 2.1.2). The ledger itself never holds all leaves;
 * it uses {@link CompactRange} and {@link ProofCollector}. These helpers are the reference the
 * streaming code is tested against, and serve small trees.
 *
 * <p>Leaf hash = SHA-256(0x00 || entry payload), node hash = SHA-256(0x01 || left || right), root
 * of the empty tree = SHA-256(""). Thread-safe: stateless.
 */
public final class MerkleTree {

  /** SHA-256 of the empty string: the root of a tree with no leaves. */
  public static final Hash EMPTY_ROOT =
      Hash.fromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  private MerkleTree() {}

  /** SHA-256(0x00 || payload). */
  public static Hash leafHash(byte[] payload) {
    return new MerkleHasher().leaf(payload);
  }

  /** SHA-256(0x01 || left || right). */
  public static Hash nodeHash(Hash left, Hash right) {
    return new MerkleHasher().node(left, right);
  }

  /** The root of the tree over all of {@code leaves}. */
  public static Hash root(List<Hash> leaves) {
    return leaves.isEmpty() ? EMPTY_ROOT : rangeHash(leaves, 0, leaves.size(), new MerkleHasher());
  }

  /** The audit path of leaf {@code index} in the tree over the first {@code size} leaves. */
  public static List<Hash> inclusionProof(List<Hash> leaves, long index, long size) {
    checkSize(leaves, size);
    return hashAll(leaves, ProofRanges.inclusion(index, size));
  }

  /** The consistency proof between the trees over the first {@code size1} and {@code size2}. */
  public static List<Hash> consistencyProof(List<Hash> leaves, long size1, long size2) {
    checkSize(leaves, size2);
    return hashAll(leaves, ProofRanges.consistency(size1, size2));
  }

  /** The largest power of two strictly less than {@code n} (n at least 2). */
  static long largestPowerOfTwoBelow(long n) {
    if (n < 2) {
      throw new IllegalArgumentException("no power of two below " + n);
    }
    return Long.highestOneBit(n - 1);
  }

  private static List<Hash> hashAll(List<Hash> leaves, List<NodeRange> ranges) {
    MerkleHasher h = new MerkleHasher();
    return ranges.stream().map(r -> rangeHash(leaves, r.begin(), r.end(), h)).toList();
  }

  // MTH(D[begin:end]) by the RFC 6962 definition.
  private static Hash rangeHash(List<Hash> leaves, long begin, long end, MerkleHasher h) {
    if (end - begin == 1) {
      return leaves.get((int) begin);
    }
    long k = largestPowerOfTwoBelow(end - begin);
    return h.node(rangeHash(leaves, begin, begin + k, h), rangeHash(leaves, begin + k, end, h));
  }

  private static void checkSize(List<Hash> leaves, long size) {
    if (size > leaves.size()) {
      throw new IllegalArgumentException(
          "tree size " + size + " exceeds the " + leaves.size() + " leaves given");
    }
  }
}
