package dev.sluice.ledger;

import java.util.List;

/**
 * Verification of RFC 6962 inclusion and consistency proofs, following the algorithms of RFC 9162
 * section 2.1.3.2 and 2.1.4.2 step by step. A proof that does not verify returns {@code false};
 * nothing here throws on bad input. Thread-safe: stateless.
 */
public final class MerkleProofs {

  private MerkleProofs() {}

  /**
   * Whether {@code proof} shows leaf {@code leafHash} at {@code index} in the tree {@code root}.
   */
  public static boolean verifyInclusion(
      long index, long size, Hash leafHash, List<Hash> proof, Hash root) {
    if (index < 0 || index >= size) {
      return false;
    }
    MerkleHasher h = new MerkleHasher();
    long fn = index;
    long sn = size - 1;
    Hash r = leafHash;
    for (Hash p : proof) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = h.node(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        r = h.node(r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    return sn == 0 && r.equals(root);
  }

  /**
   * Whether {@code proof} shows that the tree {@code root2} of {@code size2} leaves extends the
   * tree {@code root1} of {@code size1} leaves. Equal sizes need equal roots and an empty proof; a
   * size-0 first tree is consistent with anything, with an empty proof.
   */
  public static boolean verifyConsistency(
      long size1, long size2, List<Hash> proof, Hash root1, Hash root2) {
    if (size1 < 0 || size2 < size1) {
      return false;
    }
    if (size1 == size2) {
      return proof.isEmpty() && root1.equals(root2);
    }
    if (size1 == 0) {
      return proof.isEmpty();
    }
    if (proof.isEmpty()) {
      return false;
    }
    boolean powerOfTwo = (size1 & (size1 - 1)) == 0;
    int i = 0;
    Hash first = powerOfTwo ? root1 : proof.get(i++);
    long fn = size1 - 1;
    long sn = size2 - 1;
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    MerkleHasher h = new MerkleHasher();
    Hash fr = first;
    Hash sr = first;
    for (; i < proof.size(); i++) {
      Hash c = proof.get(i);
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = h.node(c, fr);
        sr = h.node(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        sr = h.node(sr, c);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    return fr.equals(root1) && sr.equals(root2) && sn == 0;
  }
}
