package dev.sluice.ledger;

import java.util.List;

/**
 * Recomputes the Merkle tree leaf by leaf and holds each signed checkpoint against it: a
 * checkpoint's root must equal the recomputed root at its size, and each pair of consecutive
 * checkpoints must be linked by an RFC 6962 consistency proof, which is computed here from the
 * frontier at the older size plus the leaves in between ({@link ProofCollector}) and then checked
 * with {@link MerkleProofs#verifyConsistency}. Memory stays proportional to the proof, not the log.
 * Not thread-safe.
 */
final class TreeAudit {

  private final List<CheckpointsFile.Frame> frames;
  private final List<Checkpoint> checkpoints;
  private final CompactRange tree = new CompactRange();
  private final byte[] leaf = new byte[Hash.SIZE];
  private final MerkleHasher hasher = new MerkleHasher();
  private int next;
  private ProofCollector link;

  /** Checkpoints in file order, with sizes already known to be non-decreasing. */
  TreeAudit(List<CheckpointsFile.Frame> frames, List<Checkpoint> checkpoints) {
    this.frames = frames;
    this.checkpoints = checkpoints;
  }

  /** Checks checkpoints at the current size; call before the first leaf and after each leaf. */
  VerifyReport.Problem atBoundary() {
    while (next < checkpoints.size() && checkpoints.get(next).size() == tree.size()) {
      Checkpoint c = checkpoints.get(next);
      Hash root = tree.root();
      if (!root.equals(c.root())) {
        return problem(
            next,
            "root "
                + c.root().base64()
                + " differs from the recomputed root "
                + root.base64()
                + " of the first "
                + c.size()
                + " entries");
      }
      if (next > 0) {
        Checkpoint prev = checkpoints.get(next - 1);
        List<Hash> proof = link == null ? List.of() : link.hashes();
        if (!MerkleProofs.verifyConsistency(prev.size(), c.size(), proof, prev.root(), c.root())) {
          return problem(
              next, "not consistent with checkpoint " + (next - 1) + " (size " + prev.size() + ")");
        }
      }
      link = null;
      if (next + 1 < checkpoints.size() && checkpoints.get(next + 1).size() > c.size()) {
        link =
            new ProofCollector(ProofRanges.consistency(c.size(), checkpoints.get(next + 1).size()));
        link.presetFrom(tree);
      }
      next++;
    }
    return null;
  }

  /** Hashes one entry payload into the tree. */
  void addLeaf(byte[] payload, int off, int len) {
    hasher.leaf(payload, off, len, leaf, 0);
    if (link != null) {
      link.accept(tree.size(), leaf, 0);
    }
    tree.append(leaf, 0);
  }

  /** After the last leaf: a checkpoint beyond the log is a problem. */
  VerifyReport.Problem atEnd() {
    if (next < checkpoints.size()) {
      return problem(
          next,
          "covers "
              + checkpoints.get(next).size()
              + " entries but the log holds only "
              + tree.size()
              + ": entries were removed");
    }
    return null;
  }

  long size() {
    return tree.size();
  }

  Hash root() {
    return tree.root();
  }

  private VerifyReport.Problem problem(int number, String message) {
    return VerifyReport.Problem.checkpoint(number, frames.get(number).offset(), message);
  }
}
