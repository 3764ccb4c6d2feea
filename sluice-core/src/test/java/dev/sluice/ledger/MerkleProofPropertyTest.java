package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Every proof the tree produces verifies; every tampered proof does not. */
class MerkleProofPropertyTest {

  @Property(tries = 60, seed = "6962")
  void everyInclusionProofVerifiesAndTamperingFails(@ForAll @IntRange(min = 1, max = 70) int size) {
    List<Hash> leaves = leaves(size, size);
    Hash root = MerkleTree.root(leaves);
    for (int i = 0; i < size; i++) {
      List<Hash> proof = MerkleTree.inclusionProof(leaves, i, size);
      Hash leaf = leaves.get(i);
      assertThat(MerkleProofs.verifyInclusion(i, size, leaf, proof, root)).isTrue();
      // A wrong tree height (a size with another path length) never verifies. A neighbouring
      // size can share the path's shape, so only the root binds the size: that is by design.
      assertThat(MerkleProofs.verifyInclusion(i, size * 2L, leaf, proof, root)).isFalse();
      if (size > 1) {
        assertThat(MerkleProofs.verifyInclusion((i + 1) % size, size, leaf, proof, root)).isFalse();
        assertThat(MerkleProofs.verifyInclusion(i, size, leaves.get((i + 1) % size), proof, root))
            .isFalse();
      }
      for (int p = 0; p < proof.size(); p++) {
        assertThat(MerkleProofs.verifyInclusion(i, size, leaf, flipped(proof, p), root)).isFalse();
      }
      assertThat(MerkleProofs.verifyInclusion(i, size, leaf, appended(proof, root), root))
          .isFalse();
      if (!proof.isEmpty()) {
        assertThat(
                MerkleProofs.verifyInclusion(i, size, leaf, proof.subList(1, proof.size()), root))
            .isFalse();
      }
    }
  }

  @Property(tries = 40, seed = "9162")
  void everyConsistencyProofVerifiesAndTamperingFails(
      @ForAll @IntRange(min = 1, max = 40) int size2) {
    List<Hash> leaves = leaves(size2, 17 * size2);
    Hash root2 = MerkleTree.root(leaves);
    for (int size1 = 1; size1 <= size2; size1++) {
      Hash root1 = MerkleTree.root(leaves.subList(0, size1));
      List<Hash> proof = MerkleTree.consistencyProof(leaves, size1, size2);
      assertThat(MerkleProofs.verifyConsistency(size1, size2, proof, root1, root2)).isTrue();
      if (size1 == size2) {
        assertThat(proof).isEmpty();
        continue;
      }
      assertThat(MerkleProofs.verifyConsistency(size1, size2, proof, root2, root2)).isFalse();
      assertThat(MerkleProofs.verifyConsistency(size1, size2, List.of(), root1, root2)).isFalse();
      assertThat(MerkleProofs.verifyConsistency(size1, size2 * 2L, proof, root1, root2)).isFalse();
      for (int p = 0; p < proof.size(); p++) {
        assertThat(MerkleProofs.verifyConsistency(size1, size2, flipped(proof, p), root1, root2))
            .isFalse();
      }
      assertThat(MerkleProofs.verifyConsistency(size1, size2, appended(proof, root1), root1, root2))
          .isFalse();
    }
  }

  @Property(tries = 40, seed = "1962")
  void streamingCollectorMatchesTheInMemoryTree(@ForAll @IntRange(min = 2, max = 90) int size) {
    List<Hash> leaves = leaves(size, 3 * size);
    Random r = new Random(size);
    int index = r.nextInt(size);
    int size1 = 1 + r.nextInt(size);
    assertThat(stream(ProofRanges.inclusion(index, size), leaves, null))
        .isEqualTo(MerkleTree.inclusionProof(leaves, index, size));
    CompactRange frontier = new CompactRange();
    leaves.subList(0, size1).forEach(frontier::append);
    assertThat(stream(ProofRanges.consistency(size1, size), leaves, frontier))
        .isEqualTo(MerkleTree.consistencyProof(leaves, size1, size));
  }

  // Streams the leaves through a collector; with a frontier, only the leaves after it.
  private static List<Hash> stream(
      List<NodeRange> ranges, List<Hash> leaves, CompactRange frontier) {
    ProofCollector c = new ProofCollector(ranges);
    int from = 0;
    if (frontier != null) {
      c.presetFrom(frontier);
      from = (int) frontier.size();
    }
    for (int i = from; i < leaves.size(); i++) {
      c.accept(i, leaves.get(i).bytes(), 0);
    }
    return c.hashes();
  }

  private static List<Hash> leaves(int n, long seed) {
    Random r = new Random(seed);
    List<Hash> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] data = new byte[r.nextInt(40)];
      r.nextBytes(data);
      out.add(MerkleTree.leafHash(data));
    }
    return out;
  }

  private static List<Hash> flipped(List<Hash> proof, int p) {
    List<Hash> copy = new ArrayList<>(proof);
    byte[] b = copy.get(p).bytes();
    b[p % Hash.SIZE] ^= 0x10;
    copy.set(p, Hash.of(b));
    return copy;
  }

  private static List<Hash> appended(List<Hash> proof, Hash extra) {
    List<Hash> copy = new ArrayList<>(proof);
    copy.add(extra);
    return copy;
  }
}
