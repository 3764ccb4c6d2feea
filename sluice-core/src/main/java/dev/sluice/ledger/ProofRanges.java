package dev.sluice.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * Which subtrees make up an RFC 6962 proof, in proof order, before any hashing. Separating the
 * shape from the hashes lets a proof be computed in one streaming pass over the log (see {@link
 * ProofCollector}) instead of holding every leaf in memory.
 *
 * <p>These are the PATH and SUBPROOF recursions of RFC 6962 section 2.1.1 and 2.1.2, with {@code
 * MTH(D[a:b])} replaced by the range {@code [a, b)}. Thread-safe: stateless.
 */
final class ProofRanges {

  private ProofRanges() {}

  /** The ranges of the audit path for leaf {@code index} in a tree of {@code size} leaves. */
  static List<NodeRange> inclusion(long index, long size) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("leaf " + index + " is not in a tree of size " + size);
    }
    List<NodeRange> out = new ArrayList<>();
    path(index, 0, size, out);
    return out;
  }

  /** The ranges of the consistency proof from {@code size1} to {@code size2} leaves. */
  static List<NodeRange> consistency(long size1, long size2) {
    if (size1 < 0 || size2 < size1) {
      throw new IllegalArgumentException("no consistency proof from " + size1 + " to " + size2);
    }
    List<NodeRange> out = new ArrayList<>();
    if (size1 > 0) {
      subproof(size1, 0, size2, true, out);
    }
    return out;
  }

  // PATH(m, D[begin:end]); appends after the recursion so the deepest sibling comes first.
  private static void path(long m, long begin, long end, List<NodeRange> out) {
    if (end - begin == 1) {
      return;
    }
    long k = MerkleTree.largestPowerOfTwoBelow(end - begin);
    if (m < k) {
      path(m, begin, begin + k, out);
      out.add(new NodeRange(begin + k, end));
    } else {
      path(m - k, begin + k, end, out);
      out.add(new NodeRange(begin, begin + k));
    }
  }

  // SUBPROOF(m, D[begin:end], b).
  private static void subproof(long m, long begin, long end, boolean whole, List<NodeRange> out) {
    long n = end - begin;
    if (m == n) {
      if (!whole) {
        out.add(new NodeRange(begin, end));
      }
      return;
    }
    long k = MerkleTree.largestPowerOfTwoBelow(n);
    if (m <= k) {
      subproof(m, begin, begin + k, whole, out);
      out.add(new NodeRange(begin + k, end));
    } else {
      subproof(m - k, begin + k, end, false, out);
      out.add(new NodeRange(begin, begin + k));
    }
  }
}
