package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Known-answer tests from the RFC 6962 reference vectors used by Go's transparency-dev/merkle
 * (proof/verify_test.go) and Chromium's CT log verifier: eight leaves and the roots of every
 * prefix, plus published inclusion and consistency proofs.
 */
class MerkleTreeTest {

  static final List<byte[]> LEAF_DATA =
      hex(
          "",
          "00",
          "10",
          "2021",
          "3031",
          "40414243",
          "5051525354555657",
          "606162636465666768696a6b6c6d6e6f");

  static final List<Hash> ROOTS =
      hashes(
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
          "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
          "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
          "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
          "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
          "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

  static List<Hash> leaves() {
    return LEAF_DATA.stream().map(MerkleTree::leafHash).toList();
  }

  @Test
  void emptyTreeRootIsSha256OfNothing() {
    assertThat(MerkleTree.root(List.of())).isEqualTo(MerkleTree.EMPTY_ROOT);
    assertThat(new CompactRange().root()).isEqualTo(MerkleTree.EMPTY_ROOT);
    assertThat(MerkleTree.EMPTY_ROOT.hex())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void rootsOfEveryPrefixMatchTheReference() {
    CompactRange frontier = new CompactRange();
    for (int n = 1; n <= 8; n++) {
      assertThat(MerkleTree.root(leaves().subList(0, n)))
          .as("size %d", n)
          .isEqualTo(ROOTS.get(n - 1));
      frontier.append(leaves().get(n - 1));
      assertThat(frontier.root()).as("frontier size %d", n).isEqualTo(ROOTS.get(n - 1));
      assertThat(frontier.nodes()).hasSize(Integer.bitCount(n));
    }
  }

  @Test
  void inclusionProofsMatchTheReference() {
    assertInclusion(
        0,
        8,
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
    assertInclusion(
        5,
        8,
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
    assertInclusion(2, 3, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
    assertInclusion(
        1,
        5,
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
    assertInclusion(0, 1);
  }

  @Test
  void consistencyProofsMatchTheReference() {
    assertConsistency(1, 1);
    assertConsistency(
        1,
        8,
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
    assertConsistency(
        6,
        8,
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
    assertConsistency(
        2,
        5,
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
    assertConsistency(
        6,
        7,
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
  }

  @Test
  void edgeCasesOfConsistencyFollowRfc9162() {
    Hash a = ROOTS.get(0);
    Hash b = ROOTS.get(1);
    assertThat(MerkleProofs.verifyConsistency(0, 0, List.of(), a, a)).isTrue();
    assertThat(MerkleProofs.verifyConsistency(0, 0, List.of(), a, b)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(0, 1, List.of(), a, b)).isTrue();
    assertThat(MerkleProofs.verifyConsistency(0, 1, List.of(a), a, b)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(1, 1, List.of(), a, b)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(1, 0, List.of(), a, b)).isFalse();
    assertThat(MerkleProofs.verifyConsistency(1, 2, List.of(), a, b)).isFalse();
    assertThat(MerkleProofs.verifyInclusion(0, 0, a, List.of(), a)).isFalse();
    assertThat(MerkleProofs.verifyInclusion(1, 1, a, List.of(), a)).isFalse();
  }

  private static void assertInclusion(long index, long size, String... expected) {
    List<Hash> proof = MerkleTree.inclusionProof(leaves(), index, size);
    assertThat(proof).containsExactlyElementsOf(hashes(expected));
    Hash leaf = leaves().get((int) index);
    assertThat(MerkleProofs.verifyInclusion(index, size, leaf, proof, ROOTS.get((int) size - 1)))
        .isTrue();
    Hash root = ROOTS.get((int) size - 1);
    assertThat(MerkleProofs.verifyInclusion(index, size, MerkleTree.EMPTY_ROOT, proof, root))
        .isFalse();
  }

  private static void assertConsistency(long size1, long size2, String... expected) {
    List<Hash> proof = MerkleTree.consistencyProof(leaves(), size1, size2);
    assertThat(proof).containsExactlyElementsOf(hashes(expected));
    Hash r1 = ROOTS.get((int) size1 - 1);
    Hash r2 = ROOTS.get((int) size2 - 1);
    assertThat(MerkleProofs.verifyConsistency(size1, size2, proof, r1, r2)).isTrue();
    if (size1 != size2) {
      assertThat(MerkleProofs.verifyConsistency(size1, size2, proof, r2, r1)).isFalse();
    }
  }

  private static List<byte[]> hex(String... s) {
    List<byte[]> out = new ArrayList<>();
    for (String x : s) {
      out.add(HexFormat.of().parseHex(x));
    }
    return out;
  }

  static List<Hash> hashes(String... hex) {
    return java.util.Arrays.stream(hex).map(Hash::fromHex).toList();
  }
}
