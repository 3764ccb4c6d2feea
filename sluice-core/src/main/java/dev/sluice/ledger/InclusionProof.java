package dev.sluice.ledger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Evidence that one entry is in the ledger: the signed checkpoint, the entry's index and encoded
 * payload, and the RFC 6962 audit path from its leaf to the checkpoint's root. Anyone holding the
 * ledger's verifier key can check it without the ledger. Immutable (arrays are copied).
 *
 * @param checkpoint the signed checkpoint the path leads to
 * @param index the entry's index (leaf number)
 * @param payload the entry's canonical encoding (the leaf data)
 * @param path the audit path, leaf level first
 */
public record InclusionProof(Checkpoint checkpoint, long index, byte[] payload, List<Hash> path) {

  public InclusionProof {
    payload = payload.clone();
    path = List.copyOf(path);
  }

  /**
   * Builds the proof for entry {@code index} against the latest checkpoint of the ledger in {@code
   * dir}, in one pass over the entries it covers.
   *
   * @throws IllegalArgumentException if the latest checkpoint does not cover {@code index}
   * @throws LedgerCorruptionException if the entries do not match the checkpoint
   */
  public static InclusionProof create(Path dir, long index) throws IOException {
    try (LedgerReader reader = LedgerReader.open(dir)) {
      Checkpoint cp = reader.latestCheckpoint(reader.verifierKey());
      if (cp == null || index < 0 || index >= cp.size()) {
        throw new IllegalArgumentException(
            "entry "
                + index
                + " is not covered by the latest checkpoint (size "
                + (cp == null ? 0 : cp.size())
                + "); wait for the next checkpoint");
      }
      ProofCollector collector = new ProofCollector(ProofRanges.inclusion(index, cp.size()));
      MerkleHasher hasher = new MerkleHasher();
      byte[] leaf = new byte[Hash.SIZE];
      byte[][] found = new byte[1][];
      long read =
          reader.visit(
              cp.size(),
              (i, offset, b, off, len) -> {
                hasher.leaf(b, off, len, leaf, 0);
                collector.accept(i, leaf, 0);
                if (i == index) {
                  found[0] = Arrays.copyOfRange(b, off, off + len);
                }
              });
      if (read < cp.size()) {
        throw new LedgerCorruptionException(
            EntriesFile.NAME,
            read,
            -1,
            "the log ends before the " + cp.size() + " entries the latest checkpoint covers");
      }
      InclusionProof proof = new InclusionProof(cp, index, found[0], collector.hashes());
      String problem = proof.problem();
      if (problem != null) {
        throw new LedgerCorruptionException(
            EntriesFile.NAME, index, -1, problem + "; run ledger verify");
      }
      return proof;
    }
  }

  /** SHA-256(0x00 || payload). */
  public Hash leafHash() {
    return MerkleTree.leafHash(payload);
  }

  /** The entry, decoded. */
  public LedgerEntry entry() throws EntryFormatException {
    return EntryCodec.decode(payload);
  }

  /**
   * Why this proof does not hold, or null if it does: the payload must decode canonically and the
   * path must lead from its leaf to the checkpoint's root. (The checkpoint's signature is checked
   * when it is {@linkplain Checkpoint#open opened}.)
   */
  public String problem() {
    try {
      EntryCodec.decode(payload);
    } catch (EntryFormatException e) {
      return "the entry does not decode: " + e.getMessage();
    }
    if (index < 0 || index >= checkpoint.size()) {
      return "index " + index + " is outside the checkpoint's " + checkpoint.size() + " entries";
    }
    if (!MerkleProofs.verifyInclusion(
        index, checkpoint.size(), leafHash(), path, checkpoint.root())) {
      return "the audit path does not lead from entry " + index + " to the checkpoint root";
    }
    return null;
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InclusionProof p
        && p.checkpoint.equals(checkpoint)
        && p.index == index
        && Arrays.equals(p.payload, payload)
        && p.path.equals(path);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(index) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "InclusionProof{index=" + index + ", " + checkpoint + "}";
  }
}
