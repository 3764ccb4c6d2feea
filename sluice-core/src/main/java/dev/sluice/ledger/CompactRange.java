package dev.sluice.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * The frontier of an RFC 6962 Merkle tree over leaves {@code [0, size)}: the roots of the perfect
 * subtrees that the binary decomposition of {@code size} splits the leaves into, largest (leftmost)
 * first. It is all that is needed to append leaves and compute the root, so the ledger keeps the
 * tree in at most 63 hashes instead of re-reading history.
 *
 * <p>Example: size 6 = 4 + 2 holds the roots of leaves [0, 4) and [4, 6).
 *
 * <p>Not thread-safe; {@link #copy()} gives an independent snapshot.
 */
public final class CompactRange {

  private static final int MAX_NODES = 64;

  private final byte[] nodes = new byte[MAX_NODES * Hash.SIZE];
  private final MerkleHasher hasher = new MerkleHasher();
  private int count;
  private long size;

  /** An empty tree. */
  public CompactRange() {}

  /**
   * Rebuilds a frontier from its parts, as returned by {@link #size()} and {@link #nodes()}.
   *
   * @throws IllegalArgumentException if the node count does not match the size
   */
  public static CompactRange of(long size, List<Hash> nodes) {
    if (size < 0 || Long.bitCount(size) != nodes.size()) {
      throw new IllegalArgumentException(
          "a tree of size "
              + size
              + " has "
              + Long.bitCount(size)
              + " frontier nodes, not "
              + nodes.size());
    }
    CompactRange r = new CompactRange();
    for (Hash h : nodes) {
      h.copyTo(r.nodes, r.count++ * Hash.SIZE);
    }
    r.size = size;
    return r;
  }

  /** Number of leaves in the tree. */
  public long size() {
    return size;
  }

  /** The frontier hashes, largest subtree first. */
  public List<Hash> nodes() {
    List<Hash> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(Hash.of(nodes, i * Hash.SIZE));
    }
    return out;
  }

  /** Appends one leaf hash. */
  public void append(Hash leafHash) {
    byte[] b = new byte[Hash.SIZE];
    leafHash.copyTo(b, 0);
    append(b, 0);
  }

  /** Appends the leaf hash stored at {@code leafHash[off, off+32)}; allocation-free. */
  void append(byte[] leafHash, int off) {
    System.arraycopy(leafHash, off, nodes, count * Hash.SIZE, Hash.SIZE);
    count++;
    // Each trailing 1-bit of the old size is a perfect subtree the new leaf completes.
    for (long s = size; (s & 1) == 1; s >>>= 1) {
      int left = (count - 2) * Hash.SIZE;
      hasher.node(nodes, left, nodes, left + Hash.SIZE, nodes, left);
      count--;
    }
    size++;
  }

  /** The RFC 6962 root: SHA-256 of the empty string for an empty tree. */
  public Hash root() {
    if (count == 0) {
      return MerkleTree.EMPTY_ROOT;
    }
    byte[] acc = new byte[Hash.SIZE];
    System.arraycopy(nodes, (count - 1) * Hash.SIZE, acc, 0, Hash.SIZE);
    for (int i = count - 2; i >= 0; i--) {
      hasher.node(nodes, i * Hash.SIZE, acc, 0, acc, 0);
    }
    return Hash.of(acc);
  }

  /**
   * The hash of leaves {@code [begin, end)} if that range is one of the frontier's subtrees, else
   * {@code null}.
   */
  Hash node(long begin, long end) {
    long start = 0;
    int i = 0;
    for (int bit = 63; bit >= 0; bit--) {
      long width = 1L << bit;
      if ((size & width) != 0) {
        if (start == begin && start + width == end) {
          return Hash.of(nodes, i * Hash.SIZE);
        }
        start += width;
        i++;
      }
    }
    return null;
  }

  /** An independent copy. */
  public CompactRange copy() {
    CompactRange c = new CompactRange();
    System.arraycopy(nodes, 0, c.nodes, 0, count * Hash.SIZE);
    c.count = count;
    c.size = size;
    return c;
  }

  @Override
  public String toString() {
    return "CompactRange{size=" + size + ", root=" + root() + "}";
  }
}
